using System.Diagnostics;

namespace ServiceMesh.Build.Docker;

internal static class ContainerWaits
{
    /// <summary>Polls the container until <paramref name="done"/> holds or <paramref name="timeout"/> passed; returns its last status either way.</summary>
    public static async Task<ContainerStatus> WaitForAsync(
        this IContainerEngine engine, string containerId, TimeSpan timeout, TimeSpan pollInterval, Func<ContainerStatus, bool> done, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var status = await engine.InspectContainerAsync(containerId, cancellationToken);
            if (done(status) || clock.Elapsed > timeout)
            {
                return status;
            }

            await Task.Delay(pollInterval, cancellationToken);
        }
    }
}
