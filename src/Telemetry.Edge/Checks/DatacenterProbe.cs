using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Telemetry.Edge.Forwarding;

namespace Telemetry.Edge.Checks;

/// <summary>
/// Sends an empty write to the datacenter with the configured credentials: the same URL, auth and TLS the
/// forwarder uses, without storing anything. Tells apart "down", "wrong token", "no such database" and "ok".
/// </summary>
public sealed class DatacenterProbe : IConnectivityProbe
{
    private readonly DatacenterOptions _options;
    private readonly TimeSpan _timeout;
    private readonly HttpMessageHandler? _handler;

    public DatacenterProbe(DatacenterOptions options, TimeSpan timeout, HttpMessageHandler? handler = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _timeout = timeout;
        _handler = handler;
    }

    public string What => "datacenter";

    public string Target => $"{_options.BaseUri} ({KindName(_options.Kind)})";

    public async Task<ProbeResult> RunAsync(CancellationToken cancellationToken)
    {
        var uri = _options.WriteUri();
        var security = uri.Scheme != Uri.UriSchemeHttps ? "http (not encrypted)"
            : "https" + (_options.Tls?.CaFile is null ? string.Empty : ", own CA") + (_options.Tls?.ClientCertificateFile is null ? string.Empty : ", client cert");
        using var http = new HttpClient(_handler ?? DatacenterClient.CreateHandler(_options), disposeHandler: _handler is null) { Timeout = _timeout };
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent([]) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        request.Headers.Authorization = _options switch
        {
            { Token: { Length: > 0 } token } => new AuthenticationHeaderValue("Token", token),
            { Username: { Length: > 0 } user } => new AuthenticationHeaderValue(
                "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{_options.Password}"))),
            _ => null,
        };
        request.Headers.TryAddWithoutValidation(DatacenterClient.EdgeHeader, _options.EdgeId);
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var latency = clock.Elapsed;
            var status = (int)response.StatusCode;
            var body = (await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)).Trim();
            if (body.Length > 200)
            {
                body = body[..200];
            }

            var server = response.Headers.TryGetValues("X-Influxdb-Version", out var versions) ? $"InfluxDB {versions.First()}" : null;
            return status switch
            {
                >= 200 and < 300 or 400 => new ProbeResult { Ok = true, Security = security, Latency = latency, Problem = server },
                401 or 403 => ProbeResult.Failed(
                    $"{status}: the credentials were refused ({body})",
                    _options.Kind == DatacenterKind.TelemetryIngest
                        ? "Put this site's token (printed by `telemetry-ingest sites add`) in the environment variable or file datacenter.token names."
                        : "Check datacenter.token (or username/password) and that this user may write to the database.",
                    latency, security),
                404 => ProbeResult.Failed(
                    $"404: {(body.Length > 0 ? body : "not found")}",
                    _options.Kind switch
                    {
                        DatacenterKind.InfluxDb1 => $"Create the database on the server (CREATE DATABASE \"{_options.Database}\") or fix datacenter.database.",
                        DatacenterKind.InfluxDb2 => "Create the bucket and org on the server, or fix datacenter.org / datacenter.bucket.",
                        _ => "The URL does not point at a write API: check datacenter.url and datacenter.kind.",
                    },
                    latency, security),
                _ => ProbeResult.Failed(
                    $"{status}: {body}",
                    "The datacenter is up but not well: the agent will keep buffering and retry; tell the datacenter team.",
                    latency, security),
            };
        }
        catch (HttpRequestException ex) when (ex.InnerException is System.Security.Authentication.AuthenticationException tls)
        {
            return ProbeResult.Failed(
                $"TLS handshake refused: {tls.Message}",
                DatacenterTls.Explain(uri, _options.Tls, "certificate not trusted or not matching"),
                clock.Elapsed,
                security);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return FixHints.ForException(ex is TaskCanceledException ? new TimeoutException() : ex, uri.Host, uri.Port, _timeout) with { Security = security };
        }
    }

    private static string KindName(DatacenterKind kind) => kind switch
    {
        DatacenterKind.TelemetryIngest => "telemetry-ingest",
        DatacenterKind.InfluxDb1 => "influxdb1",
        DatacenterKind.InfluxDb2 => "influxdb2",
        _ => "victoriametrics",
    };
}
