using System.Collections.Immutable;
using System.Net;

namespace ServiceMesh.Configuration;

/// <summary>
/// The address ranges health checks may probe (CHECK_ALLOWED_NETWORKS). Default: loopback and the private ranges;
/// link-local (169.254.0.0/16, where clouds serve instance metadata) and every public address are outside.
/// </summary>
internal sealed record AllowedNetworks(ImmutableArray<IPNetwork> Ranges)
{
    public const string DefaultText = "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7";

    public const string Expected = "a comma-separated list of CIDR ranges such as 127.0.0.0/8,10.0.0.0/8,fc00::/7 (prefix bits only, no host bits set)";

    public static AllowedNetworks Default { get; } = Parse(DefaultText)!;

    /// <summary>An IPv4 address written as IPv6 (::ffff:a.b.c.d) is judged as the IPv4 address it reaches.</summary>
    public bool Contains(IPAddress address)
    {
        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return Ranges.Any(r => r.Contains(plain));
    }

    /// <summary>Null when any element is not a CIDR range (a bare address, host bits set, empty list).</summary>
    public static AllowedNetworks? Parse(string text)
    {
        var ranges = ImmutableArray.CreateBuilder<IPNetwork>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!part.Contains('/', StringComparison.Ordinal) || !IPNetwork.TryParse(part, out var range) || HasHostBits(part, range))
            {
                return null;
            }

            ranges.Add(range);
        }
        return ranges.Count == 0 ? null : new AllowedNetworks(ranges.ToImmutable());
    }

    // "10.0.0.1/8" is most likely a typo for an address or a range: refuse it rather than guess which.
    private static bool HasHostBits(string text, IPNetwork range)
    {
        var bytes = IPAddress.Parse(text[..text.IndexOf('/', StringComparison.Ordinal)]).GetAddressBytes();
        for (var bit = range.PrefixLength; bit < bytes.Length * 8; bit++)
        {
            if ((bytes[bit / 8] & (0x80 >> (bit % 8))) != 0)
            {
                return true;
            }
        }

        return false;
    }

    public override string ToString() => string.Join(",", Ranges);

    // Equal when the same ranges are listed in the same order (the array itself compares by reference).
    public bool Equals(AllowedNetworks? other) => other is not null && Ranges.SequenceEqual(other.Ranges);

    public override int GetHashCode() => Ranges.Aggregate(0, (hash, range) => HashCode.Combine(hash, range));
}
