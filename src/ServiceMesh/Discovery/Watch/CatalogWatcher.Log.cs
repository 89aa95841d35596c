namespace ServiceMesh.Discovery.Watch;

internal sealed partial class CatalogWatcher
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Catalog snapshot {Version} published: {Changed} services changed, {Total} in total")]
        public static partial void Published(ILogger logger, long version, int changed, int total);

        [LoggerMessage(2, LogLevel.Warning, "Discovery watch '{Loop}' failed, retrying with backoff; the last known catalog stays in use: {Problem}")]
        public static partial void Unreachable(ILogger logger, string loop, string problem);

        [LoggerMessage(3, LogLevel.Information, "Discovery watch '{Loop}' reached {Registry} again (was: {Problem})")]
        public static partial void Recovered(ILogger logger, string loop, Uri registry, string problem);
    }
}
