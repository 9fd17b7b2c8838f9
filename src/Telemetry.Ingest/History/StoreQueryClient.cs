using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Telemetry.Ingest.Configuration;

namespace Telemetry.Ingest.History;

/// <summary>
/// The HTTP side of the history readers: one GET to the store with a time limit, its JSON answer parsed, every
/// failure turned into a <see cref="HistoryException"/> that names the store (502 refused, 504 too slow, 503 down).
/// </summary>
internal sealed class StoreQueryClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly AuthenticationHeaderValue? _authorization;
    private readonly TimeSpan _timeout;

    public StoreQueryClient(StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        BaseUrl = (options.Url ?? throw new ArgumentException("The store has no URL.", nameof(options))).AbsoluteUri.TrimEnd('/');
        _timeout = options.TotalTimeout;
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = options.AttemptTimeout, PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _authorization = options switch
        {
            { Kind: StoreKind.InfluxDb1, Username: { Length: > 0 } user } => new AuthenticationHeaderValue(
                "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{options.Password ?? options.Token}"))),
            { Token: { Length: > 0 } token } => new AuthenticationHeaderValue("Token", token),
            _ => null,
        };
    }

    public string BaseUrl { get; }

    public async Task<JsonDocument> GetJsonAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        var text = await GetTextAsync(pathAndQuery, cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            throw new HistoryException(502, $"the store {BaseUrl} sent a history answer that is not JSON: {ex.Message}", ex);
        }
    }

    public async Task<string> GetTextAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, BaseUrl + pathAndQuery);
            request.Headers.Authorization = _authorization;
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new HistoryException(502, $"the store {BaseUrl} answered HTTP {(int)response.StatusCode} to a history query: {Shorten(text)}");
            }

            return text;
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HistoryException(504, $"the store {BaseUrl} did not answer a history query within {_timeout.TotalSeconds:0} s.", new TimeoutException(ex.Message, ex));
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw new HistoryException(503, $"the store {BaseUrl} is unreachable: {ex.Message}", ex);
        }
    }

    public void Dispose() => _http.Dispose();

    private static string Shorten(string text) => (text.Length > 300 ? text[..300] : text).Trim();
}
