using Microsoft.Extensions.Logging;

namespace ServiceMesh.Health;

/// <summary>Runs every registered component check concurrently; a check that throws or hangs is unhealthy, never skipped.</summary>
internal sealed partial class HealthEvaluator(IEnumerable<IHealthComponent> components, ILogger<HealthEvaluator> logger)
{
    internal static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    private readonly IHealthComponent[] _components = components.ToArray();

    /// <summary>The latest report, for the metrics gauge (null before the first check).</summary>
    public HealthReport? Last { get; private set; }

    public async Task<HealthReport> EvaluateAsync(CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(_components.Select(c => CheckAsync(c, cancellationToken))).ConfigureAwait(false);
        var report = HealthReport.From(results.ToDictionary(r => r.Name, r => r.Health, StringComparer.Ordinal));
        // A component's warning is logged when it enters that state, not on every probe while it stays there.
        foreach (var (name, health) in results)
            if (health.Status != ComponentStatus.Healthy && Last?.Components.GetValueOrDefault(name)?.Status != health.Status)
                Log.ComponentNotHealthy(logger, name, health.Status, health.Detail);
        if (Last is { } previous && previous.Status != report.Status)
            Log.StatusChanged(logger, previous.Status, report.Status);
        Last = report;
        return report;
    }

    private async Task<(string Name, ComponentHealth Health)> CheckAsync(IHealthComponent component, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CheckTimeout);
        try
        {
            // On the pool: a component doing blocking work (a storage probe on a hung mount) cannot hold /health past the timeout.
            var health = await Task.Run(() => component.CheckAsync(timeout.Token), timeout.Token).WaitAsync(timeout.Token).ConfigureAwait(false);
            return (component.Name, health);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (component.Name, ComponentHealth.Unhealthy($"check did not finish within {CheckTimeout.TotalSeconds:0} s"));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.ComponentCheckFailed(logger, component.Name, e);
            return (component.Name, ComponentHealth.Unhealthy($"check failed: {e.Message}"));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Health component {Component} is {Status}: {Detail}")]
        public static partial void ComponentNotHealthy(ILogger logger, string component, ComponentStatus status, string detail);

        [LoggerMessage(2, LogLevel.Error, "Health check of component {Component} threw")]
        public static partial void ComponentCheckFailed(ILogger logger, string component, Exception exception);

        [LoggerMessage(3, LogLevel.Information, "Mesh health changed from {Previous} to {Current}")]
        public static partial void StatusChanged(ILogger logger, ComponentStatus previous, ComponentStatus current);
    }
}
