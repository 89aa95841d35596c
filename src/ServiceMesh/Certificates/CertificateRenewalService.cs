using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ServiceMesh.Certificates;

/// <summary>
/// Loads (or creates) the CA before the server starts — so an unusable CA stops the start — then wakes when the next
/// renewal or root retirement is due. It also wakes at least every minute, so certificates issued meanwhile are seen.
/// </summary>
internal sealed partial class CertificateRenewalService(CertificateManager manager, TimeProvider time, ILogger<CertificateRenewalService> logger)
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
            try
            {
                await manager.RenewDueAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.RenewalRoundFailed(logger, e);
            }
            try
            {
                await Task.Delay(SleepTime(), time, stoppingToken).ConfigureAwait(false);
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
