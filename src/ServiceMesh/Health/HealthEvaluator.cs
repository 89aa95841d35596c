namespace ServiceMesh.Health;

/// <summary>
/// Evaluates every registered component at each call: kept components (<see cref="IKeptHealthComponent"/>) are read
/// inline; the others are checked concurrently on worker threads with a timeout. A check that throws or hangs is
/// unhealthy, never skipped.
/// </summary>
internal sealed partial class HealthEvaluator(IEnumerable<IHealthComponent> components, ILogger<HealthEvaluator> logger)
{
    internal static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    private readonly IHealthComponent[] _components = components.ToArray();

    /// <summary>The latest report, for the metrics gauge (null before the first check).</summary>
    public HealthReport? Last { get; private set; }

    public async Task<HealthReport> EvaluateAsync(CancellationToken cancellationToken)
    {
        var checks = new Task<(string Name, ComponentHealth Health)>[_components.Length];
        for (var i = 0; i < _components.Length; i++)
        {
            checks[i] = _components[i] is IKeptHealthComponent kept ? Task.FromResult(Read(kept)) : CheckAsync(_components[i], cancellationToken);
        }

        var results = await Task.WhenAll(checks).ConfigureAwait(false);
        var report = HealthReport.From(results.ToDictionary(r => r.Name, r => r.Health, StringComparer.Ordinal));
        // A component's warning is logged when it enters that state, not on every probe while it stays there.
        foreach (var (name, health) in results)
        {
            if (health.Status != ComponentStatus.Healthy && Last?.Components.GetValueOrDefault(name)?.Status != health.Status)
            {
                Log.ComponentNotHealthy(logger, name, health.Status, health.Detail);
            }
        }

        if (Last is { } previous && previous.Status != report.Status)
        {
            Log.StatusChanged(logger, previous.Status, report.Status);
        }

        Last = report;
        return report;
    }

    /// <summary>
    /// For the metrics gauge: kept components as they are now, the others as the last evaluation found them (their
    /// checks may block, so a scrape does not run them).
    /// </summary>
    public IReadOnlyList<(string Name, ComponentHealth Health)> Current()
    {
        var last = Last?.Components;
        var current = new List<(string, ComponentHealth)>(_components.Length);
        foreach (var component in _components)
        {
            if (component is IKeptHealthComponent kept)
            {
                current.Add(Read(kept));
            }
            else if (last?.GetValueOrDefault(component.Name) is { } health)
            {
                current.Add((component.Name, health));
            }
        }

        return current;
    }

    private (string Name, ComponentHealth Health) Read(IKeptHealthComponent component)
    {
        try
        {
            return (component.Name, component.Current);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.ComponentCheckFailed(logger, component.Name, e);
            return (component.Name, ComponentHealth.Unhealthy($"check failed: {e.Message}"));
        }
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
