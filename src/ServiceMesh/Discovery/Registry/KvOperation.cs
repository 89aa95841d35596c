namespace ServiceMesh.Discovery.Registry;

/// <summary>One KV verb, as Consul's txn API names it; the single-key HTTP writes are the same operations.</summary>
/// <param name="Index">cas, delete-cas and check-index: the ModifyIndex the key must have (0: must not exist).</param>
/// <param name="Session">lock, unlock and check-session: the session that acquires, releases or must hold the key.</param>
internal sealed record KvOperation(string Verb, string Key, byte[]? Value = null, ulong Flags = 0, ulong Index = 0, string? Session = null);

/// <summary>Consul's KV verbs (api/txn.go) and which of them write.</summary>
internal static class KvVerbs
{
    public const string Set = "set";
    public const string Cas = "cas";
    public const string Lock = "lock";
    public const string Unlock = "unlock";
    public const string Get = "get";
    public const string GetOrEmpty = "get-or-empty";
    public const string GetTree = "get-tree";
    public const string CheckIndex = "check-index";
    public const string CheckSession = "check-session";
    public const string CheckNotExists = "check-not-exists";
    public const string Delete = "delete";
    public const string DeleteCas = "delete-cas";
    public const string DeleteTree = "delete-tree";

    public static bool IsWrite(string verb) => verb is Set or Cas or Lock or Unlock or Delete or DeleteCas or DeleteTree;
}

/// <summary>A failed operation of a transaction: its position and Consul's reason.</summary>
internal sealed record KvOperationError(int OpIndex, string What);

/// <summary>An entry an operation returns; writes return it without its value, as Consul does.</summary>
internal readonly record struct KvResult(KvRecord Entry, bool ValueShown);

/// <summary>What a KV write or transaction gave: the entries it returns, or every error (and then nothing changed).</summary>
internal sealed record KvOutcome(IReadOnlyList<KvResult>? Results, IReadOnlyList<KvOperationError>? Errors)
{
    public bool Succeeded => Errors is null or { Count: 0 };
}
