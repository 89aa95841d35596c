using Microsoft.Extensions.Logging;
using ServiceMesh.Configuration;
using ServiceMesh.Envoy.Inputs;
using ServiceMesh.Envoy.Output;
using ServiceMesh.Envoy.Planning;
using ServiceMesh.Envoy.Policies;
using ServiceMesh.Envoy.Rendering;

namespace ServiceMesh.Envoy;

/// <summary>
/// One full pass: read policies.yaml, merge the inputs, plan a spec per sidecar, render and write. Synchronous and
/// self-contained so the background loop, the API and tests all run exactly the same code.
/// </summary>
internal sealed partial class EnvoyGenerator(
    EnvoySettings settings,
    EnvoySpecPlanner planner,
    PolicyStore policies,
    IEnumerable<IEnvoyInputs> inputs,
    EnvoyState state,
    ILogger<EnvoyGenerator> logger,
    TimeProvider time,
    SidecarCertificates? sidecarCertificates = null)
{
    private readonly EnvoyFileLayout _layout = new(settings.EnvoyConfigPath);
    private readonly IEnvoyInputs[] _inputs = inputs.ToArray();
    private readonly EnvoyConfigWriter _writer = new(new EnvoyFileLayout(settings.EnvoyConfigPath));
    private readonly HostPortPlanner _ports = new(new HostPortRanges(settings.AdminPort), settings.ReservedPorts);
    private Dictionary<string, (EnvoyServiceSpec Spec, EnvoyFileSet Files)> _rendered = new(StringComparer.Ordinal);
    private long _number;
    private HashSet<string> _reportedExcluded = new(StringComparer.Ordinal);
    private HashSet<(string, string)> _reportedWarnings = [];
    private string _reportedPolicyProblems = "";

    public IReadOnlyList<IEnvoyInputs> Inputs => _inputs;

    /// <summary>
    /// Generates and writes what changed; null when policies.yaml has never been valid (nothing is touched then).
    /// With <paramref name="verifyDisk"/> every file is checked against disk, so one changed or removed by hand is
    /// restored; otherwise the writer trusts its memory of what it wrote.
    /// </summary>
    public EnvoyGeneration? Generate(bool verifyDisk = false)
    {
        var started = time.GetTimestamp();
        var current = policies.Reload();
        ReportPolicies(current is null);
        if (current is null)
        {
            return null;
        }

        var membership = MeshMembership.Decide(_inputs.Select(i => (i.Name, i.Precedence, i.Current)));
        var ports = _ports.For(membership.Members, _inputs);
        var excluded = (IReadOnlyList<ExcludedMember>)[.. membership.Excluded, .. ports.Excluded];
        ReportExcluded(excluded);
        var members = membership.Members.Where(m => ports.PortsOf(m.Member.Name) is not null).ToList();
        var specs = planner.Plan([.. members.Select(m => m.Member)], current, rereadFiles: verifyDisk, ports);
        ReportWarnings(specs);
        sidecarCertificates?.RevokeDeparted([.. specs.Select(s => s.Name)]);
        sidecarCertificates?.EnsureIssued([.. specs.Where(s => s.Tls.CertificateVersion == FileVersions.None).Select(s => s.Name)]);
        var files = Render(specs);
        var result = _writer.Write(files, verifyDisk, removeOthers: _inputs.All(i => i.Ready.IsCompleted));

        var generation = new EnvoyGeneration(Interlocked.Increment(ref _number), time.GetUtcNow(), specs, files,
            members.ToDictionary(m => m.Member.Name, m => m.Source, StringComparer.Ordinal), result, excluded, ports);
        state.Completed(generation);
        var elapsed = time.GetElapsedTime(started);
        if (!result.Succeeded)
        {
            Log.WriteFailed(logger, result.Failures.Count, string.Join("; ", result.Failures.Take(3)));
        }
        else if (result.FilesWritten + result.FilesDeleted > 0)
        {
            Log.Generated(logger, specs.Count, result.FilesWritten, result.FilesDeleted, elapsed.TotalMilliseconds);
        }

        return generation;
    }

    /// <summary>Renders the services whose spec changed since the last generation and reuses the rest (same instances, so the writer skips them).</summary>
    private EnvoyFileSet[] Render(IReadOnlyList<EnvoyServiceSpec> specs)
    {
        var previous = _rendered;
        var files = new EnvoyFileSet[specs.Count];
        var changed = new List<int>();
        for (var i = 0; i < specs.Count; i++)
        {
            if (previous.TryGetValue(specs[i].Name, out var cached) && cached.Spec.Equals(specs[i]))
            {
                files[i] = cached.Files;
            }
            else
            {
                changed.Add(i);
            }
        }
        // Rendering is CPU-bound and independent per service; writing stays sequential and ordered.
        var builder = new EnvoyConfigBuilder(_layout);
        var isStatic = settings.Layout == EnvoyConfigLayout.Static;
        Parallel.ForEach(changed, i => files[i] = isStatic ? builder.Static(specs[i]) : builder.Dynamic(specs[i]));
        var rendered = new Dictionary<string, (EnvoyServiceSpec, EnvoyFileSet)>(specs.Count, StringComparer.Ordinal);
        for (var i = 0; i < specs.Count; i++)
        {
            rendered[specs[i].Name] = (specs[i], files[i]);
        }

        _rendered = rendered;
        return files;
    }

    /// <summary>Logs each service turned away from the mesh once, when it is first put forward.</summary>
    private void ReportExcluded(IReadOnlyList<ExcludedMember> excluded)
    {
        var now = excluded.Select(e => e.Service).ToHashSet(StringComparer.Ordinal);
        foreach (var entry in excluded.Where(e => !_reportedExcluded.Contains(e.Service)))
        {
            Log.Excluded(logger, entry.Service, entry.Source, entry.Reason);
        }

        _reportedExcluded = now;
    }

    /// <summary>Logs each upstream warning once, when it appears; one that goes away and comes back is logged again.</summary>
    private void ReportWarnings(IReadOnlyList<EnvoyServiceSpec> specs)
    {
        var now = new HashSet<(string, string)>();
        foreach (var spec in specs)
        {
            foreach (var warning in spec.Warnings)
            {
                if (now.Add((spec.Name, warning)) && !_reportedWarnings.Contains((spec.Name, warning)))
                {
                    Log.UpstreamWarning(logger, spec.Name, warning);
                }
            }
        }
        _reportedWarnings = now;
    }

    private void ReportPolicies(bool waiting)
    {
        var problems = policies.Problems;
        state.Policies(problems, waiting);
        var text = string.Join("; ", problems);
        if (text == _reportedPolicyProblems)
        {
            return;
        }

        _reportedPolicyProblems = text;
        if (problems.Count == 0)
        {
            Log.PoliciesValid(logger, policies.FilePath);
        }
        else
        {
            Log.PoliciesInvalid(logger, policies.FilePath, text, waiting ? "nothing is generated until it is fixed" : "the last good policies and configuration stay in force");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Envoy configuration for {Services} sidecars: {Written} files written, {Deleted} removed in {ElapsedMs:0.0} ms")]
        public static partial void Generated(ILogger logger, int services, int written, int deleted, double elapsedMs);

        [LoggerMessage(2, LogLevel.Error, "Envoy configuration: {Count} files could not be written or removed: {Failures}")]
        public static partial void WriteFailed(ILogger logger, int count, string failures);

        [LoggerMessage(3, LogLevel.Error, "{Path} is invalid, {Consequence}: {Problems}")]
        public static partial void PoliciesInvalid(ILogger logger, string path, string problems, string consequence);

        [LoggerMessage(4, LogLevel.Information, "{Path} is valid and in force")]
        public static partial void PoliciesValid(ILogger logger, string path);

        [LoggerMessage(5, LogLevel.Warning, "Service {Service} (from {Source}) gets no sidecar, certificate or Envoy files: {Reason}")]
        public static partial void Excluded(ILogger logger, string service, string source, string reason);

        [LoggerMessage(6, LogLevel.Warning, "Sidecar {Service}: {Warning}; its listener and cluster are generated, and calls fail until that changes")]
        public static partial void UpstreamWarning(ILogger logger, string service, string warning);
    }
}
