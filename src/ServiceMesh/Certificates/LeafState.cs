namespace ServiceMesh.Certificates;

/// <summary>A service's current certificate and its renewal bookkeeping. Version changes with every new certificate.</summary>
internal sealed record LeafState(SvidInfo Certificate, DateTimeOffset RenewAt, int FailedRenewals, string? LastError, long Version)
{
    public string Service => Certificate.Service;
}

/// <summary>The outcome of POST /certificates/ca/rotate.</summary>
internal sealed record RootRotationResult(string RootSerial, DateTimeOffset RootNotAfter, string PreviousRootSerial, int Reissued, int Failed, DateTimeOffset? RetireAfter);
