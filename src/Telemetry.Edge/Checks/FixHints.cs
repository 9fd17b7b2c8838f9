using System.Net.Sockets;
using System.Security.Authentication;

namespace Telemetry.Edge.Checks;

/// <summary>Turns what went wrong on the network into what to do about it.</summary>
public static class FixHints
{
    public static ProbeResult ForException(Exception exception, string host, int port, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var socket = Find<SocketException>(exception);
        if (socket is not null)
        {
            return socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => ProbeResult.Failed(
                    $"connection refused by {host}:{port}",
                    $"Nothing listens on {host}:{port}. Is the server running, and is the port in the configuration right?"),
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => ProbeResult.Failed(
                    $"the name '{host}' does not resolve",
                    "Check the host name in the configuration, or use the IP address; check this PC's DNS settings."),
                SocketError.NetworkUnreachable or SocketError.HostUnreachable => ProbeResult.Failed(
                    $"no route to {host}",
                    "This PC has no network path there: check the cable, the VLAN, the gateway and the IP address."),
                SocketError.TimedOut => TimedOut(host, port, timeout),
                SocketError.ConnectionReset or SocketError.ConnectionAborted => ProbeResult.Failed(
                    $"{host}:{port} closed the connection",
                    "The server dropped us: check that the port is the right protocol (e.g. not HTTPS on an HTTP port) and the server's log."),
                _ => ProbeResult.Failed($"{host}:{port}: {socket.Message}", "Check the address and that the server is up."),
            };
        }

        if (Find<AuthenticationException>(exception) is { } tls)
        {
            return ProbeResult.Failed(
                $"TLS with {host} failed: {tls.Message}",
                "The server's certificate is not trusted or does not match the name: install the CA it was issued by, or fix the URL's host name.");
        }

        if (exception is TimeoutException or OperationCanceledException || Find<TimeoutException>(exception) is not null)
        {
            return TimedOut(host, port, timeout);
        }

        return ProbeResult.Failed($"{host}:{port}: {exception.Message}", "Check the address and that the server is up.");
    }

    /// <summary>For sources that report failures as text (their health's last error).</summary>
    public static ProbeResult ForMessage(string message, string host, int port, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(message);
        bool Has(string s) => message.Contains(s, StringComparison.OrdinalIgnoreCase);
        if (Has("not authori") || Has("username or password") || Has("BadUserNameOrPassword") || Has("BadUserAccessDenied") || Has("BadIdentityToken"))
        {
            return ProbeResult.Failed(message, "The credentials were refused: check username and password (and that this user may read these topics or nodes).");
        }

        if (Has("certificate") || Has("TLS") || Has("SSL") || Has("BadSecurity"))
        {
            return ProbeResult.Failed(message, "The security handshake failed: check the CA file, the certificate's host name, or trust our client certificate on the server.");
        }

        if (Has("address already in use") || Has("AddressAlreadyInUse"))
        {
            return ProbeResult.Failed(message, $"Another program listens on {host}:{port} (the running agent itself, or another broker such as mosquitto): stop it or choose another port.");
        }

        if (Has("refused"))
        {
            return ProbeResult.Failed(message, $"Nothing listens on {host}:{port}. Is the server running, and is the port in the configuration right?");
        }

        if (Has("resolve") || Has("No such host") || Has("Name or service not known") || Has("nodename nor servname"))
        {
            return ProbeResult.Failed(message, "Check the host name in the configuration, or use the IP address; check this PC's DNS settings.");
        }

        if (Has("timed out") || Has("timeout") || Has("no connection within"))
        {
            return TimedOut(host, port, timeout) with { Problem = message };
        }

        return ProbeResult.Failed(message, "Check the address, the port and the server's log.");
    }

    public static ProbeResult TimedOut(string host, int port, TimeSpan timeout) => ProbeResult.Failed(
        $"no answer from {host}:{port} within {timeout.TotalSeconds:0.#} s",
        "A firewall may drop the traffic, or the address is wrong: try `ping` and check the port is open.");

    private static T? Find<T>(Exception? exception)
        where T : Exception
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is T match)
            {
                return match;
            }
        }

        return null;
    }
}
