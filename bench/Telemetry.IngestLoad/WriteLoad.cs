using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace Telemetry.IngestLoad;

/// <summary>C connections posting the bodies round-robin for a while; counts the lines the target acknowledged.</summary>
public static class WriteLoad
{
    public sealed record Result(double Seconds, long Lines, long Requests, long Failures)
    {
        public double LinesPerSecond => Lines / Seconds;
    }

    public static async Task<Result> RunAsync(Uri writeUri, string? token, byte[][] bodies, int linesPerBody, int connections, TimeSpan duration)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, AutomaticDecompression = DecompressionMethods.None })
        {
            Timeout = TimeSpan.FromSeconds(60),
        };
        long lines = 0, requests = 0, failures = 0, next = 0;
        var watch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, connections).Select(async _ =>
        {
            while (watch.Elapsed < duration)
            {
                var body = bodies[Interlocked.Increment(ref next) % bodies.Length];
                using var request = new HttpRequestMessage(HttpMethod.Post, writeUri);
                if (token is not null)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Token", token);
                }

                var content = new ByteArrayContent(body);
                content.Headers.ContentEncoding.Add("gzip");
                request.Content = content;
                try
                {
                    using var response = await http.SendAsync(request);
                    Interlocked.Increment(ref requests);
                    if (response.IsSuccessStatusCode)
                    {
                        Interlocked.Add(ref lines, linesPerBody);
                    }
                    else
                    {
                        Interlocked.Increment(ref failures);
                        if (response.Headers.RetryAfter?.Delta is { } delay)
                        {
                            await Task.Delay(delay);
                        }
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }).ToArray();
        await Task.WhenAll(workers);
        return new Result(watch.Elapsed.TotalSeconds, lines, requests, failures);
    }
}
