using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Telemetry.LineProtocol;

namespace Telemetry.Ingest.Writing;

/// <summary>
/// The two write APIs Influx clients speak: InfluxDB 1.x <c>POST /write?db=&amp;precision=n|u|ms|s</c> (errors as
/// <c>{"error":"..."}</c>) and InfluxDB 2 <c>POST /api/v2/write?org=&amp;bucket=&amp;precision=ns|us|ms|s</c> (errors as
/// <c>{"code":"invalid","message":"..."}</c>). The db/bucket a client names is accepted and not used: every site's
/// points go to the one configured store, told apart by their site tag.
/// </summary>
public enum WriteDialect : byte
{
    V1,
    V2,
}

public static class WriteDialectExtensions
{
    /// <summary>The request's precision, or null (with the error text) for an unknown one.</summary>
    public static TimestampPrecision? ParsePrecision(this WriteDialect dialect, HttpRequest request, out string? error)
    {
        ArgumentNullException.ThrowIfNull(request);
        var text = request.Query["precision"].ToString();
        error = null;
        switch (text)
        {
            case "" or "ns":
                return TimestampPrecision.Nanoseconds;
            case "n" when dialect == WriteDialect.V1:
                return TimestampPrecision.Nanoseconds;
            case "us":
                return TimestampPrecision.Microseconds;
            case "u" when dialect == WriteDialect.V1:
                return TimestampPrecision.Microseconds;
            case "ms":
                return TimestampPrecision.Milliseconds;
            case "s":
                return TimestampPrecision.Seconds;
            default:
                error = dialect == WriteDialect.V1
                    ? $"precision '{text}' is not supported; use n, u, ms or s"
                    : $"precision '{text}' is not supported; use ns, us, ms or s";
                return null;
        }
    }

    /// <summary>Writes an error answer in the dialect's JSON shape.</summary>
    public static async Task WriteErrorAsync(this WriteDialect dialect, HttpResponse response, int status, string code, string message, TimeSpan? retryAfter = null)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        if (retryAfter is { } delay)
        {
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (dialect == WriteDialect.V1)
            {
                json.WriteString("error", message);
            }
            else
            {
                json.WriteString("code", code);
                json.WriteString("message", message);
            }

            json.WriteEndObject();
        }

        await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), response.HttpContext.RequestAborted).ConfigureAwait(false);
    }
}
