namespace ServiceMesh.Build.Image;

/// <summary>What every marker and OCI label of one build says: version, git revision and build date.</summary>
internal sealed record ImageStamp(string Version, string Revision, DateTimeOffset BuildDate)
{
    /// <summary>RFC 3339 in UTC, second precision: the form of org.opencontainers.image.created and the markers' buildDate.</summary>
    public string BuildDateText => BuildDate.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
