using System.Diagnostics;
using System.Net.Sockets;
using ServiceMesh.Tests.Support;

namespace ServiceMesh.Tests.Certificates;

/// <summary><c>openssl s_server</c> on a free loopback port, requiring client certificates as the arguments say; killed on dispose.</summary>
internal sealed class OpenSslServer : IDisposable
{
    private readonly Process _process;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _errors;

    private OpenSslServer(Process process, int port, System.Collections.Concurrent.ConcurrentQueue<string> errors)
    {
        _process = process;
        Port = port;
        _errors = errors;
    }

    public int Port { get; }

    public static OpenSslServer Start(string certificate, string key, params string[] verification)
    {
        var port = FreePort.Next();
        var start = new ProcessStartInfo("openssl") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["s_server", "-accept", $"127.0.0.1:{port}", "-cert", certificate, "-key", key, .. verification])
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is not null)
            {
                errors.Enqueue(line.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new OpenSslServer(process, port, errors);
    }

    /// <summary>Waits until the port takes connections (a probe connection that s_server sees as a client leaving at once).</summary>
    public async Task WaitUntilAcceptingAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        throw new TimeoutException($"openssl s_server did not accept on {Port} (exited: {_process.HasExited}): {string.Join(" | ", _errors)}");
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit();
        _process.Dispose();
    }
}
