using System.Diagnostics;
using Telemetry.Testing;

namespace Telemetry.Edge.Mqtt.Tests.Fixtures;

/// <summary>
/// A test PKI made with the openssl CLI: a CA, a broker certificate for 127.0.0.1 (IP SAN) signed by it, a client
/// certificate signed by it, and an unrelated second CA (for the untrusted case).
/// </summary>
internal sealed class TlsMaterial : IDisposable
{
    private readonly TempDirectory _dir = new("mqtt-tls");

    private TlsMaterial()
    {
    }

    public string CaCert => _dir.Combine("ca.pem");

    public string OtherCaCert => _dir.Combine("other-ca.pem");

    public string ServerCert => _dir.Combine("server.pem");

    public string ServerKey => _dir.Combine("server.key");

    public string ClientCert => _dir.Combine("client.pem");

    public string ClientKey => _dir.Combine("client.key");

    public static async Task<TlsMaterial> CreateAsync()
    {
        var m = new TlsMaterial();
        var d = m._dir.Path;
        await File.WriteAllTextAsync(Path.Combine(d, "server.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        await File.WriteAllTextAsync(Path.Combine(d, "client.ext"), "extendedKeyUsage=clientAuth\n");
        await OpenSsl(d, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Telemetry Test CA");
        await OpenSsl(d, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other-ca.key", "-out", "other-ca.pem", "-days", "2", "-subj", "/CN=Someone Else CA");
        await OpenSsl(d, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
        await OpenSsl(d, "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "server.ext");
        await OpenSsl(d, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key", "-out", "client.csr", "-subj", "/CN=edge-1");
        await OpenSsl(d, "x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "client.pem", "-days", "2", "-extfile", "client.ext");
        return m;
    }

    public void Dispose() => _dir.Dispose();

    private static async Task OpenSsl(string dir, params string[] args)
    {
        var info = new ProcessStartInfo("openssl") { WorkingDirectory = dir, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var p = Process.Start(info)!;
        var error = p.StandardError.ReadToEndAsync();
        await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, $"openssl {string.Join(' ', args)}: {await error}");
    }
}
