using Microsoft.Extensions.Logging;

namespace ServiceMesh.Certificates;

/// <summary>
/// Loads (or creates) the CA before the server starts, so an unusable CA stops the start; then wakes when a renewal or
/// root retirement is due, and every minute to see certificates issued meanwhile. No failed round ends the loop:
/// renewals back off, and while writes fail each round probes CERTIFICATES_PATH so the storage fault clears.
/// </summary>
internal sealed partial class CertificateRenewalService(CertificateManager manager, TimeProvider time, ILogger<CertificateRenewalService> logger,
    ReportingCertificateFileSystem? storage = null)
    : BackgroundService
{
    internal static readonly TimeSpan MaxSleep = TimeSpan.FromMinutes(1);
    internal static readonly TimeSpan MinSleep = TimeSpan.FromSeconds(1);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        manager.Start();
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan sleep;
            try
            {
                await manager.RenewDueAsync(stoppingToken).ConfigureAwait(false);
                storage?.ProbeIfFailing();
                sleep = SleepTime();
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                Log.RenewalRoundFailed(logger, e);
                sleep = MaxSleep;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                await Task.Delay(sleep, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private TimeSpan SleepTime()
    {
        var until = manager.NextDueAt is { } due ? due - time.GetUtcNow() : MaxSleep;
        return until < MinSleep ? MinSleep : until > MaxSleep ? MaxSleep : until;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Certificate renewal round failed; retrying on the next round")]
        public static partial void RenewalRoundFailed(ILogger logger, Exception exception);
    }
}
