using System.Diagnostics;
using Telemetry.Edge.Checks;
using Telemetry.OpcUa;
using Telemetry.OpcUa.Client;
using Telemetry.OpcUa.Encoding;

namespace Telemetry.Edge.OpcUa;

/// <summary>
/// `telemetry-edge check` for one PLC: opens a session the way the source does (its own session, no
/// subscriptions), reports the endpoint's security, resolves the configured nodes (tag count, and what the PLC
/// does not have) and reads a few current values. Failures come with what to do about them.
/// </summary>
public sealed class OpcUaProbe : IConnectivityProbe
{
    private readonly OpcUaSourceOptions _options;
    private readonly TimeSpan _timeout;

    public OpcUaProbe(OpcUaSourceOptions options, TimeSpan timeout)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _timeout = timeout;
    }

    public string What => $"source {_options.Name} (opcua)";

    public string Target => _options.EndpointUrl;

    public async Task<ProbeResult> RunAsync(CancellationToken cancellationToken)
    {
        var (host, port) = HostAndPort(_options.EndpointUrl);
        var clock = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        UaSession session;
        try
        {
            session = await UaSession.ConnectAsync(_options.ToClientOptions($"telemetry-edge check {_options.Name}") with { RequestTimeout = _timeout }, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return FixHints.TimedOut(host, port, _timeout) with { Security = "-" };
        }
        catch (OpcUaException ex) when (OpcUaSecurityHints.ForCheck(ex, _options) is { } refused)
        {
            return ProbeResult.Failed(refused.Problem, refused.Hint, security: $"{_options.Security} (refused)");
        }
        catch (Exception ex) when (ex is OpcUaException or TimeoutException or IOException or UnauthorizedAccessException)
        {
            return Explain(ex, host, port, _timeout) is var result && result.Security == "None" && !_options.Security.IsNone
                ? result with { Security = _options.Security.ToString() }
                : result;
        }

        var latency = clock.Elapsed;
        var security = session.Endpoint?.SecurityName ?? "None";
        try
        {
            var resolution = await new OpcUaNodeResolver(session).ResolveAsync(_options.Site, _options.Nodes, timeout.Token).ConfigureAwait(false);
            var first = resolution.Tags.Take(3).ToArray();
            var values = first.Length == 0 ? [] : await session.ReadAsync([.. first.Select(t => t.NodeId)], cancellationToken: timeout.Token).ConfigureAwait(false);
            var sample = string.Join(", ", first.Select((t, i) => $"{t.Path.Machine}/{t.Path.Tag}={OpcUaValueConverter.Display(values[i].Value)}"));
            if (resolution.Problems.Count > 0)
            {
                return new ProbeResult
                {
                    Ok = false,
                    Security = security,
                    TagCount = resolution.Tags.Count,
                    Latency = latency,
                    Sample = sample,
                    Problem = $"{resolution.Problems.Count} configured entr{(resolution.Problems.Count == 1 ? "y" : "ies")} not found on the PLC: {string.Join("; ", resolution.Problems.Take(3))}",
                    Hint = $"Run `telemetry-edge browse {_options.EndpointUrl}` to see the PLC's node ids (with namespace URIs) and browse paths, and fix the entries named above.",
                };
            }

            return new ProbeResult
            {
                Ok = true,
                Security = security,
                TagCount = resolution.Tags.Count,
                Latency = latency,
                Sample = sample.Length == 0 ? "connected; no tags" : sample,
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return FixHints.TimedOut(host, port, _timeout) with { Security = security, Latency = latency, Problem = $"{_options.EndpointUrl} connected but did not finish browsing within {_timeout.TotalSeconds:0.#} s" };
        }
        catch (Exception ex) when (ex is OpcUaException or TimeoutException)
        {
            return Explain(ex, host, port, _timeout) with { Security = security, Latency = latency };
        }
        finally
        {
            await CloseAsync(session).ConfigureAwait(false);
        }
    }

    /// <summary>What an OPC UA failure means for the technician.</summary>
    public static ProbeResult Explain(Exception exception, string host, int port, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is OpcUaException ua)
        {
            switch (ua.StatusCode.Code)
            {
                case StatusCodes.BadSecurityPolicyRejected:
                    return ProbeResult.Failed(
                        ua.Message,
                        "The PLC offers only signed/encrypted endpoints: give the source security: { mode: SignAndEncrypt, policy: Basic256Sha256 } in edge.yaml and trust the PLC's certificate with telemetry-edge certs.",
                        security: "required by the PLC");
                case StatusCodes.BadUserAccessDenied or StatusCodes.BadIdentityTokenInvalid or StatusCodes.BadIdentityTokenRejected or StatusCodes.BadUserSignatureInvalid:
                    return ProbeResult.Failed(
                        ua.Message,
                        "The PLC refused the login: check username and password (the env variable or file password names), or allow anonymous access on the PLC.",
                        security: "None");
                case StatusCodes.BadTcpMessageTypeInvalid or StatusCodes.BadTcpEndpointUrlInvalid:
                    return ProbeResult.Failed(
                        ua.Message,
                        $"Something answers on {host}:{port} but it is not an OPC UA server: check the port (4840 is the usual one) and the endpoint URL.");
                case StatusCodes.BadNotConnected or StatusCodes.BadConnectionClosed when exception.InnerException is System.Net.Sockets.SocketException:
                    var socket = FixHints.ForException(exception, host, port, timeout);
                    return socket with
                    {
                        Problem = $"the PLC at opc.tcp://{host}:{port} is not reachable: {socket.Problem}",
                        Hint = socket.Hint + " Check that the PLC is powered and its OPC UA server is enabled.",
                    };
            }
        }

        return FixHints.ForException(exception, host, port, timeout) with { Problem = exception.Message };
    }

    private static (string Host, int Port) HostAndPort(string endpointUrl) =>
        Uri.TryCreate(endpointUrl, UriKind.Absolute, out var uri) ? (uri.Host, uri.Port < 0 ? 4840 : uri.Port) : (endpointUrl, 4840);

    private static async Task CloseAsync(UaSession session)
    {
        try
        {
            using var close = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await session.CloseAsync(close.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OpcUaException or TimeoutException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }
    }
}
