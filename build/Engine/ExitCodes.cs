namespace ServiceMesh.Build.Engine;

internal static class ExitCodes
{
    public const int Success = 0;
    public const int TargetFailed = 1;
    public const int UsageError = 2;
    public const int Aborted = 130;
}

/// <summary>A failure the build reports as one clear message with a given exit code (no stack trace).</summary>
public sealed class BuildFailureException : Exception
{
    public BuildFailureException(string message, int exitCode = ExitCodes.TargetFailed)
        : base(message) => ExitCode = exitCode;

    public BuildFailureException()
    {
    }

    public BuildFailureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int ExitCode { get; } = ExitCodes.TargetFailed;
}
