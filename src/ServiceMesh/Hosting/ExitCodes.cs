namespace ServiceMesh.Hosting;

/// <summary>Process exit codes; the non-zero ones follow BSD sysexits.h so scripts can tell causes apart.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    /// <summary>EX_USAGE: unknown command or option.</summary>
    public const int Usage = 64;
    /// <summary>EX_CANTCREAT: a folder the runtime writes is missing or not writable.</summary>
    public const int CannotWrite = 73;
    /// <summary>
    /// EX_SOFTWARE: a background component (a BackgroundService) failed and stopped the host after start. Each catches
    /// and retries its own failures, so this is a bug; non-zero so `restart: unless-stopped` restarts the container and
    /// the log's critical line names the component and the error.
    /// </summary>
    public const int BackgroundServiceFailed = 70;
    /// <summary>EX_IOERR: a state file exists but cannot be read.</summary>
    public const int StateUnreadable = 74;
    /// <summary>EX_CONFIG: an invalid setting.</summary>
    public const int Configuration = 78;
}
