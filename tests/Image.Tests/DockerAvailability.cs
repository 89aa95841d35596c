using ServiceMesh.Build.Docker;

namespace ServiceMesh.Image.Tests;

/// <summary>
/// Whether the image tests can run here: an engine answers, or this is root on Debian/Ubuntu (EnsureDocker installs
/// and starts one). Under CI=true they never skip: a CI machine that cannot run them fails with the reason.
/// </summary>
internal static class DockerAvailability
{
    public static async Task SkipOrFailWhenUnavailableAsync()
    {
        var environment = CurrentEnvironment();
        var endpoint = DockerEndpoint.FromEnvironment(environment);
        if (await DockerClients.AnswersAsync(endpoint, CancellationToken.None) || IsolatedEngineSetup.CanRunHere)
        {
            return;
        }

        var reason = $"No Docker engine answers at {endpoint} and this is not root on Debian/Ubuntu, so EnsureDocker cannot start one.";
        if (environment.GetValueOrDefault("CI")?.Equals("true", StringComparison.OrdinalIgnoreCase) == true)
        {
            throw new InvalidOperationException($"CI=true: the image tests must run. {reason}");
        }

        Skip.If(true, reason);
    }

    public static Dictionary<string, string> CurrentEnvironment() =>
        System.Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal);
}
