using System.Text.Encodings.Web;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using ServiceMesh.Configuration;

namespace ServiceMesh.Hosting;

internal static class LoggingExtensions
{
    /// <summary>LOG_FORMAT json: one JSON object a line (the image default); text: one readable line per entry.</summary>
    public static IHostApplicationBuilder AddMeshLogging(this IHostApplicationBuilder builder, MeshOptions options)
    {
        builder.Logging.ClearProviders();
        if (options.LogFormat == LogFormat.Json)
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                // Relaxed escaping: log lines are read by people and log shippers, never embedded in HTML.
                o.JsonWriterOptions = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.ColorBehavior = LoggerColorBehavior.Disabled;
            });
        }
        builder.Logging.SetMinimumLevel(options.LogLevel);
        // Framework chatter only at Warning unless someone asked for DEBUG; startup/shutdown lines stay visible.
        var framework = options.LogLevel < LogLevel.Information ? options.LogLevel : (LogLevel)Math.Max((int)options.LogLevel, (int)LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft", framework);
        builder.Logging.AddFilter("System", framework);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", options.LogLevel);
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.None);
        builder.Services.AddRedactedLogging(new SecretRedactor([options.ApiToken, options.ConsulHttpToken]));
        return builder;
    }

    /// <summary>
    /// No log line carries a token (issue 12): every provider is wrapped in a <see cref="RedactingLoggerProvider"/>
    /// when the factory is created, including ones registered after this call. Redacting at the provider rather than
    /// silencing the categories that print URLs keeps DEBUG useful and covers log lines that do not exist yet.
    /// </summary>
    internal static IServiceCollection AddRedactedLogging(this IServiceCollection services, SecretRedactor redactor)
    {
        services.AddSingleton(redactor);
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(sp => new LoggerFactory(
            sp.GetServices<ILoggerProvider>().Select(p => new RedactingLoggerProvider(p, redactor)),
            sp.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(),
            sp.GetService<IOptions<LoggerFactoryOptions>>())));
        return services;
    }
}
