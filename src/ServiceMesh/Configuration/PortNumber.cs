using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace ServiceMesh.Configuration;

/// <summary>The one rule for a TCP/UDP port everywhere a setting, a file or a request names one.</summary>
internal static class PortNumber
{
    /// <summary>What the error messages say is expected.</summary>
    public const string Rule = "a port from 1 to 65535";

    public static bool IsValid([NotNullWhen(true)] int? port) => port is >= 1 and <= 65535;

    /// <summary>Plain decimal digits only (no sign, spaces or exponent), in range.</summary>
    public static bool TryParse(string? text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && IsValid(port);
}
