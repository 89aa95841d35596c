using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServiceMesh.Hosting;

namespace ServiceMesh.Tests.Hosting;

public sealed partial class RedactingLoggerProviderTests
{
    private const string Token = "lucid-secret-token-0123456789";

    [Fact]
    public void Log_TokenInMessageValuesExceptionAndScope_NoneReachesTheProvider()
    {
        var capture = new CapturingProvider();
        using var services = new ServiceCollection()
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(capture))
            .AddRedactedLogging(new SecretRedactor([Token]))
            .BuildServiceProvider();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics");

        using (logger.BeginScope(new Dictionary<string, object?> { ["RequestPath"] = $"/v1/kv/x?token={Token}" }))
        {
            Log.RequestStarting(logger, "PUT", $"?token={Token}", 8500, new InvalidOperationException($"bad uri http://h/?token={Token}"));
        }

        var entry = capture.Entries.ShouldHaveSingleItem();
        entry.Message.ShouldBe("Request starting PUT ?token=[redacted] 8500");
        entry.Values.ShouldContain(new KeyValuePair<string, object?>("QueryString", "?token=[redacted]"));
        entry.Values.ShouldContain(new KeyValuePair<string, object?>("Port", 8500), "values without a secret keep their type");
        entry.Exception.ShouldNotContain(Token);
        entry.Exception.ShouldContain("bad uri http://h/?token=[redacted]");
        entry.Scopes.ShouldNotContain(Token);
        entry.Scopes.ShouldContain("token=[redacted]");
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Request starting {Method} {QueryString} {Port}")]
        public static partial void RequestStarting(ILogger logger, string method, string queryString, int port, Exception exception);
    }

    private sealed record Entry(string Message, IReadOnlyList<KeyValuePair<string, object?>> Values, string Exception, string Scopes);

    /// <summary>Records what a provider (the console formatters) would write: message, values, exception text, scopes.</summary>
    private sealed class CapturingProvider : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider? _scopes;

        public List<Entry> Entries { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingProvider provider) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var scopes = new List<string>();
                provider._scopes?.ForEachScope((scope, list) => list.Add(string.Join(",", (scope as IEnumerable<KeyValuePair<string, object?>>)?.Select(p => $"{p.Key}={p.Value}") ?? [$"{scope}"])), scopes);
                provider.Entries.Add(new Entry(formatter(state, exception), [.. (state as IEnumerable<KeyValuePair<string, object?>>) ?? []],
                    exception?.ToString() ?? "", string.Join(";", scopes)));
            }
        }
    }
}
