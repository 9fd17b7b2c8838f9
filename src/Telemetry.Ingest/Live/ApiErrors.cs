using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Telemetry.Ingest.Live;

/// <summary>Error answers of the read API, InfluxDB-style: {"code": "...", "message": "..."}.</summary>
internal static class ApiErrors
{
    public static async Task WriteAsync(HttpContext http, int status, string code, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        using (var writer = new Utf8JsonWriter(http.Response.BodyWriter))
        {
            writer.WriteStartObject();
            writer.WriteString("code", code);
            writer.WriteString("message", message);
            writer.WriteEndObject();
        }

        await http.Response.BodyWriter.FlushAsync(http.RequestAborted).ConfigureAwait(false);
    }
}
