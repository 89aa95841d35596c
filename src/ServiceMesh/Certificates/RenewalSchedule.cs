namespace ServiceMesh.Certificates;

/// <summary>
/// When a leaf renews: a random point between 60% and 90% of its lifetime, so a thousand services issued together do
/// not all renew in the same second. The random source is injected so tests can check the window.
/// </summary>
internal sealed class RenewalSchedule(Random random)
{
    public const double EarliestFraction = 0.6;
    public const double LatestFraction = 0.9;

    /// <summary>After a failed renewal: retry soon, then less often, never later than this.</summary>
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(5);

    private readonly Lock _gate = new();

    public DateTimeOffset RenewAt(DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        double fraction;
        lock (_gate) // Random is not thread-safe
        {
            fraction = EarliestFraction + (LatestFraction - EarliestFraction) * random.NextDouble();
        }

        return notBefore + (notAfter - notBefore) * fraction;
    }

    public static TimeSpan RetryDelay(int failures) =>
        TimeSpan.FromSeconds(Math.Min(MaxRetryDelay.TotalSeconds, 5 * Math.Pow(2, Math.Min(failures - 1, 10))));
}
