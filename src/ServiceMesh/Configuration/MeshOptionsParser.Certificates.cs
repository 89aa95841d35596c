using System.Globalization;
using System.Text.RegularExpressions;

namespace ServiceMesh.Configuration;

/// <summary>The certificate settings: lifetimes as durations ("30m", "72h", "7d"), the key algorithm and RSA size.</summary>
internal sealed partial class MeshOptionsParser
{
    private static readonly TimeSpan MinCertTtl = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan MaxDuration = TimeSpan.FromDays(3650);

    private TimeSpan? OptionalDuration(MeshSetting key, TimeSpan min)
    {
        var setting = raw[key];
        if (setting.Value.Length == 0)
        {
            return null;
        }

        var match = DurationPattern().Match(setting.Value);
        if (match.Success && long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var amount) && amount <= 10_000_000)
        {
            var duration = match.Groups[2].Value switch
            {
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                _ => TimeSpan.FromDays(amount),
            };
            if (duration >= min && duration <= MaxDuration)
            {
                return duration;
            }
        }
        Problems.Add($"{setting.Describe()}: expected a duration from {Format(min)} to 3650d, a whole number with unit s, m, h or d (e.g. 30m, 72h, 7d)");
        return null;
    }

    private int RsaKeySize()
    {
        var setting = raw[MeshSettings.CertKeySize];
        if (setting.Value is "2048" or "3072" or "4096")
        {
            return int.Parse(setting.Value, CultureInfo.InvariantCulture);
        }

        Problems.Add($"{setting.Describe()}: expected an RSA key size of 2048, 3072 or 4096 bits (used when CERT_KEY_ALGORITHM=rsa)");
        return 2048;
    }

    private void CheckCertificateLifetime(MeshOptions options)
    {
        var days = raw[MeshSettings.CertValidityDays];
        var ttl = raw[MeshSettings.CertTtl];
        if (days.Value.Length > 0 && ttl.Value.Length > 0)
        {
            Problems.Add($"{ttl.Describe()} and {days.Describe()}: expected only one of them (CERT_TTL is the finer form of CERT_VALIDITY_DAYS)");
            return;
        }
        if (options.CaValidityDays > 0 && options.CertLifetime >= TimeSpan.FromDays(options.CaValidityDays))
        {
            var lifetime = ttl.Value.Length > 0 ? ttl.Describe() : days.Value.Length > 0 ? days.Describe() : $"the default certificate lifetime ({Format(MeshOptions.DefaultCertLifetime)})";
            Problems.Add($"{lifetime}: expected less than {raw[MeshSettings.CaValidityDays].Describe()} (a certificate cannot outlive its CA)");
        }
    }

    private static string Format(TimeSpan duration) =>
        duration == TimeSpan.Zero ? "0s" : duration.TotalDays >= 1 && duration.TotalDays % 1 == 0 ? $"{duration.TotalDays}d"
        : duration.TotalHours % 1 == 0 ? $"{duration.TotalHours}h" : $"{duration.TotalMinutes}m";

    [GeneratedRegex(@"^([0-9]{1,8})([smhd])\z")]
    private static partial Regex DurationPattern();
}
