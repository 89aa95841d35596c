using System.Runtime.InteropServices;
using ServiceMesh.Build.Engine;

namespace ServiceMesh.Build.Docker;

/// <summary>
/// Proves that this x86_64 host runs arm64 binaries: compiles a tiny static arm64 program with the cross compiler
/// (installed for Native AOT anyway) and runs it directly, which only works through qemu's binfmt handler.
/// </summary>
internal sealed class EmulationProbe
{
    private const string Source = "#include <stdio.h>\n#include <sys/utsname.h>\nint main(void){struct utsname u; uname(&u); printf(\"%s\\n\", u.machine); return 0;}\n";

    private readonly ToolRunner _tools;
    private readonly string _workDirectory;

    public EmulationProbe(ToolRunner tools, string workDirectory)
    {
        _tools = tools;
        _workDirectory = workDirectory;
    }

    public static bool IsNeeded(string targetArchitecture) =>
        targetArchitecture == "arm64" && RuntimeInformation.OSArchitecture != Architecture.Arm64;

    /// <summary>Returns what the probe printed ("aarch64"); throws with the fix when emulation does not work.</summary>
    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_workDirectory);
        var source = Path.Combine(_workDirectory, "arm64-probe.c");
        var binary = Path.Combine(_workDirectory, "arm64-probe");
        await File.WriteAllTextAsync(source, Source, cancellationToken);
        await _tools.RunAsync("aarch64-linux-gnu-gcc", ["-static", "-Os", "-o", binary, source], cancellationToken, quiet: true);
        var machine = "";
        try
        {
            await _tools.RunAsync(binary, [], cancellationToken, onOutputLine: line => machine += line.Trim(), quiet: true);
        }
        catch (Exception e) when (e is BuildFailureException or System.ComponentModel.Win32Exception or CliWrap.Exceptions.CliWrapException)
        {
            throw new BuildFailureException($"An arm64 binary does not run on this host ({e.Message}). As root: apt-get install qemu-user-static binfmt-support && update-binfmts --enable qemu-aarch64");
        }

        return machine == "aarch64"
            ? machine
            : throw new BuildFailureException($"The arm64 probe printed '{machine}', expected 'aarch64': emulation is not working.");
    }
}
