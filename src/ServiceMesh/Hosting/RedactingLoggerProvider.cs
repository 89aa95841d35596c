using System.Globalization;

namespace ServiceMesh.Hosting;

/// <summary>
/// Wraps a logger provider so the message, every structured value (JSON's "State"), the exception text and the scopes
/// pass through <see cref="SecretRedactor"/> first. <see cref="LoggingExtensions"/> wraps every provider when the
/// factory is built, so no category (ours, ASP.NET Core's, Kestrel's, a library's) can bypass it.
/// </summary>
internal sealed class RedactingLoggerProvider(ILoggerProvider inner, SecretRedactor redactor) : ILoggerProvider, ISupportExternalScope
{
    public ILogger CreateLogger(string categoryName) => new RedactingLogger(inner.CreateLogger(categoryName), redactor);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider)
    {
        if (inner is ISupportExternalScope scoped)
        {
            scoped.SetScopeProvider(new RedactingScopeProvider(scopeProvider, redactor));
        }
    }

    // The inner provider belongs to the container, which disposes it.
    public void Dispose()
    {
    }

    private sealed class RedactingLogger(ILogger inner, SecretRedactor redactor) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel))
            {
                return;
            }

            var entry = RedactedState.From(state, redactor.Redact(formatter(state, exception)), redactor);
            inner.Log(logLevel, eventId, entry, RedactedException.From(exception, redactor), static (s, _) => s.Message);
        }
    }

    private sealed class RedactingScopeProvider(IExternalScopeProvider inner, SecretRedactor redactor) : IExternalScopeProvider
    {
        public void ForEachScope<TState>(Action<object?, TState> callback, TState state) =>
            inner.ForEachScope((scope, s) => callback(scope is null ? null : RedactedState.From(scope, redactor.Redact(scope.ToString() ?? ""), redactor), s), state);

        public IDisposable Push(object? state) => inner.Push(state);
    }
}

/// <summary>A log entry's state after redaction: the message, and the structured values with any secret taken out.</summary>
internal sealed class RedactedState(string message, IReadOnlyList<KeyValuePair<string, object?>> values) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public string Message => message;

    public int Count => values.Count;

    public KeyValuePair<string, object?> this[int index] => values[index];

    public static RedactedState From(object? state, string message, SecretRedactor redactor) => new(message,
        state is IEnumerable<KeyValuePair<string, object?>> pairs ? [.. pairs.Select(p => new KeyValuePair<string, object?>(p.Key, Value(p.Value, redactor)))] : []);

    // Numbers, flags, times and enums cannot hold a token and keep their type; anything else is checked as text.
    private static object? Value(object? value, SecretRedactor redactor)
    {
        if (value is null or (IConvertible and not string))
        {
            return value;
        }

        var text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
        var redacted = redactor.Redact(text);
        return value is string || redacted != text ? redacted : value;
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => values.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => message;
}

/// <summary>An exception whose text (as the console formatters write it: <c>ToString()</c>) had a secret taken out.</summary>
internal sealed class RedactedException : Exception
{
    private readonly string _text;

    // The original is not kept as the inner exception: its text is what had to be redacted.
    private RedactedException(string text, string message, Exception original) : base(message)
    {
        _text = text;
        HResult = original.HResult;
    }

    public RedactedException()
    {
        _text = "";
    }

    public RedactedException(string message) : base(message) => _text = message;

    public RedactedException(string message, Exception innerException) : base(message, innerException) => _text = message;

    public static Exception? From(Exception? exception, SecretRedactor redactor)
    {
        if (exception is null)
        {
            return null;
        }

        var text = exception.ToString();
        var redacted = redactor.Redact(text);
        return redacted == text ? exception : new RedactedException(redacted, redactor.Redact(exception.Message), exception);
    }

    public override string ToString() => _text;
}
