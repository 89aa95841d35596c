using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ServiceMesh.Tests.Support;

/// <summary>Keeps every log line the host writes (level, category, message), for tests that assert what an operator reads.</summary>
internal sealed class LogCapture : ILoggerProvider
{
    internal sealed record Line(LogLevel Level, string Category, string Message);

    private readonly ConcurrentQueue<Line> _lines = new();

    public IReadOnlyList<Line> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            capture._lines.Enqueue(new Line(logLevel, category, formatter(state, exception)));
    }
}
