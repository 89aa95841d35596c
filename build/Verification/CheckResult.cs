namespace ServiceMesh.Build.Verification;

/// <summary>One row of the verification table: which check, whether it passed, and what was found.</summary>
internal sealed record CheckResult(string Check, bool Passed, string Detail)
{
    public static CheckResult Pass(string check, string detail) => new(check, true, detail);

    public static CheckResult Fail(string check, string detail) => new(check, false, detail);

    public static CheckResult When(bool passed, string check, string detail) => new(check, passed, detail);
}
