using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ServiceMesh.Tests.Support;

/// <summary>
/// One HTTP/1.1 request over a plain socket that reads the answer while it is still sending the body. HttpClient
/// reports only "error while copying content" when a server answers a large body early (413) and stops reading it;
/// this shows what the server answered.
/// </summary>
internal static class RawHttp
{
    public static async Task<(int Status, string Text)> SendAsync(int port, string method, string path, byte[] body, bool chunked)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        var reading = ReadToEndAsync(stream);
        var head = $"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nConnection: close\r\n"
            + (chunked ? "Transfer-Encoding: chunked\r\n\r\n" : $"Content-Length: {body.Length.ToString(CultureInfo.InvariantCulture)}\r\n\r\n");
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            for (var offset = 0; offset < body.Length && !reading.IsCompleted; offset += 64 * 1024)
            {
                var piece = body.AsMemory(offset, Math.Min(64 * 1024, body.Length - offset));
                if (chunked)
                {
                    await stream.WriteAsync(Encoding.ASCII.GetBytes($"{piece.Length:x}\r\n"));
                }

                await stream.WriteAsync(piece);
                if (chunked)
                {
                    await stream.WriteAsync("\r\n"u8.ToArray());
                }
            }
            if (chunked && !reading.IsCompleted)
            {
                await stream.WriteAsync("0\r\n\r\n"u8.ToArray());
            }
        }
        catch (IOException)
        {
            // the server answered and closed before taking the whole body: what it answered is what counts
        }
        var text = await reading.WaitAsync(TimeSpan.FromSeconds(30));
        var parts = text.Split(' ', 3);
        return (parts.Length > 1 && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var status) ? status : 0, text);
    }

    private static async Task<string> ReadToEndAsync(NetworkStream stream)
    {
        var received = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException)
        {
            // reset after the answer
        }
        return Encoding.UTF8.GetString(received.ToArray());
    }
}
