using System.Text.Encodings.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
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
        return builder;
    }
}
