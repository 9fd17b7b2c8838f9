using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Telemetry.Ingest.Configuration;
using Telemetry.Ingest.Hosting;
using Telemetry.Ingest.Sites;
using Telemetry.Ingest.Stores;
using Telemetry.LineProtocol;

namespace Telemetry.Ingest.Tests.Fixtures;

/// <summary>Two sites with known tokens, an ingest on a free loopback port, and helpers to write to it.</summary>
public static class IngestTestKit
{
    public const string TokenA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    public const string TokenB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    public const string OperatorToken = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";

    public static IngestOptions Options(StoreOptions? store = null, WriteLimits? limits = null) => new()
    {
        Listen = [new Uri("http://127.0.0.1:0")],
        Sites =
        [
            new SiteOptions { Name = "plant-a", TokenHashes = [SiteTokens.Hash(TokenA)] },
            new SiteOptions { Name = "plant-b", TokenHashes = [SiteTokens.Hash(TokenB)] },
        ],
        Operators = [new OperatorOptions { Name = "ops", TokenHashes = [SiteTokens.Hash(OperatorToken)] }],
        Store = store ?? new StoreOptions(),
        Limits = limits ?? new WriteLimits(),
    };

    public static Task<IngestServer> StartAsync(IngestOptions options, IPointStore? store = null) =>
        IngestServer.StartAsync(options, new IngestServerSettings { Store = store, Loggers = NullLoggerFactory.Instance });

    public static HttpClient Client(IngestServer server) => new() { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

    public static async Task<HttpResponseMessage> WriteV2Async(HttpClient http, string? token, string body, bool gzip = false, string precision = "ns", IDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/v2/write?org=o&bucket=b&precision={precision}");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Token", token);
        }

        foreach (var (k, v) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(k, v);
        }

        request.Content = Body(Encoding.UTF8.GetBytes(body), gzip);
        return await http.SendAsync(request);
    }

    public static ByteArrayContent Body(byte[] text, bool gzip)
    {
        if (!gzip)
        {
            return new ByteArrayContent(text);
        }

        var content = new ByteArrayContent(Gzip(text));
        content.Headers.ContentEncoding.Add("gzip");
        return content;
    }

    public static byte[] Gzip(byte[] text)
    {
        using var memory = new MemoryStream();
        using (var gz = new GZipStream(memory, CompressionLevel.Fastest))
        {
            gz.Write(text);
        }

        return memory.ToArray();
    }
}

/// <summary>A store that records what it was given and answers what the test says.</summary>
public sealed class RecordingStore : IPointStore
{
    public ConcurrentQueue<(string Lines, TimestampPrecision Precision)> Writes { get; } = new();

    public Func<StoreOutcome> Answer { get; set; } = () => StoreOutcome.Stored;

    public string Description => "recording";

    public ValueTask<StoreOutcome> WriteAsync(ReadOnlyMemory<byte> lines, TimestampPrecision precision, CancellationToken cancellationToken = default)
    {
        var outcome = Answer();
        if (outcome.Status == StoreStatus.Stored)
        {
            Writes.Enqueue((Encoding.UTF8.GetString(lines.Span), precision));
        }

        return ValueTask.FromResult(outcome);
    }

    public ValueTask<(bool Reachable, string? Error)> PingAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult<(bool, string?)>((true, null));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
