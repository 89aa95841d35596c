using ServiceMesh.Build.Engine;
using ServiceMesh.Build.Testing;
using Spectre.Console;

namespace ServiceMesh.Build;

internal sealed partial class Build
{
    [Parameter("Only test projects whose name contains one of these (default: all)")]
    readonly string[] TestProjects = [];

    string TestResultsDirectory => Path.Combine(ArtifactsDirectory, "test-results");

    /// <summary>tests/&lt;Name&gt;/&lt;Name&gt;.csproj, one level deep (BenchmarkDotNet generates projects below bin/); benchmarks never run as tests.</summary>
    IReadOnlyList<string> ProjectsUnderTests => Directory.EnumerateDirectories(Path.Combine(RootDirectory, "tests"))
        .SelectMany(folder => Directory.EnumerateFiles(folder, "*.csproj", SearchOption.TopDirectoryOnly))
        .Order(StringComparer.Ordinal)
        .ToList();

    IReadOnlyList<string> TestProjectFiles => ProjectsUnderTests
        .Where(p => !Path.GetFileNameWithoutExtension(p).EndsWith(".Benchmarks", StringComparison.Ordinal))
        .Where(p => TestProjects.Length == 0 || TestProjects.Any(f => Path.GetFileName(p).Contains(f, StringComparison.OrdinalIgnoreCase)))
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>The real clients the tests talk to the runtime with: curl and openssl (TLS), dig (DNS), python-consul.</summary>
    static readonly string[] TestClientPackages = ["curl", "dnsutils", "openssl", "python3-consul"];

    /// <summary>
    /// Node.js and npm for the npm consul client scenario (its test installs the pinned client with npm ci): Debian's,
    /// unless both are on PATH already, as NodeSource's nodejs is with its own npm (Debian's npm would conflict with it).
    /// </summary>
    static IEnumerable<string> NodePackages => OnPath("node") && OnPath("npm") ? [] : ["nodejs", "npm"];

    static bool OnPath(string command) => (System.Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Any(folder => File.Exists(Path.Combine(folder, command)));

    Target Test => _ => _
        .Description("Runs every test project; prints 'Tests: N passed, N failed, N skipped' and a table per project")
        .DependsOn(Compile)
        .Executes(async ct =>
        {
            if (Docker.AptPackages.CanInstall)
            {
                await new Docker.AptPackages(Tools).EnsureInstalledAsync([.. TestClientPackages, .. NodePackages], foreignArchitecture: null, ct);
            }

            Directory.CreateDirectory(TestResultsDirectory);
            var summaries = new List<TestRunSummary>();
            var withoutResults = new List<string>();
            foreach (var project in TestProjectFiles)
            {
                var name = Path.GetFileNameWithoutExtension(project);
                var trx = Path.Combine(TestResultsDirectory, name + ".trx");
                File.Delete(trx);
                var exitCode = await Tools.RunAsync(
                    "dotnet",
                    ["test", project, "-c", Configuration.ToString(), "--no-build", "--nologo",
                        "--logger", $"trx;LogFileName={trx}", "--logger", "console;verbosity=normal", .. NoServers],
                    ct,
                    acceptedExitCodes: [0, 1]);
                if (File.Exists(trx))
                {
                    summaries.Add(TrxReader.Read(name, trx));
                }
                else
                {
                    withoutResults.Add($"{name} (dotnet test exited with {exitCode} and wrote no {trx}; see its output above)");
                }
            }

            var total = TestRunSummary.Sum("Total", summaries);
            // CI reads this line: plain text, alone on its line.
            Console.Profile.Out.Writer.WriteLine();
            Console.Profile.Out.Writer.WriteLine($"Tests: {total.CountLine}");
            Console.Write(TestTable(summaries, total));
            Note(total.CountLine);
            if (withoutResults.Count > 0)
            {
                throw new BuildFailureException($"No results from {string.Join(", ", withoutResults)}.");
            }

            if (total.Failed > 0 || total.Passed == 0)
            {
                var failedNames = summaries.SelectMany(s => s.FailedTests).Take(20).ToList();
                throw new BuildFailureException(total.Passed == 0 && total.Failed == 0
                    ? "No test ran."
                    : $"{total.Failed} test(s) failed: {string.Join(", ", failedNames)}");
            }
        });

    static Table TestTable(IEnumerable<TestRunSummary> summaries, TestRunSummary total)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Tests by project[/]");
        foreach (var column in new[] { "Project", "Passed", "Failed", "Skipped", "Duration" })
        {
            table.AddColumn(column);
        }

        foreach (var s in summaries.Append(total))
        {
            table.AddRow(Markup.Escape(s.Project), s.Passed.ToString(), s.Failed.ToString(), s.Skipped.ToString(), SummaryPrinter.FormatDuration(s.Duration));
        }

        return table;
    }
}
