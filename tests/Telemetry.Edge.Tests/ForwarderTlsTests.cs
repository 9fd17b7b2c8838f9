using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Telemetry.Edge.Checks;
using Telemetry.Edge.Configuration;
using Telemetry.Edge.Forwarding;
using Telemetry.Testing;

namespace Telemetry.Edge.Tests;

/// <summary>
/// The forwarder's TLS against an HTTPS endpoint on loopback whose certificate comes from a test CA: it trusts the
/// configured CA (not the system store), checks the name, presents a client certificate for mutual TLS, and says
/// exactly what to fix when the handshake fails.
/// </summary>
public sealed class ForwarderTlsTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("edge-tls");
    private WebApplication? _server;
    private string? _clientSeen;

    private Uri Server { get; set; } = null!;

    private string CaPem => _dir.Combine("ca.pem");

    private string OtherCaPem => _dir.Combine("other-ca.pem");

    private string ClientCertPem => _dir.Combine("client.pem");

    private string ClientKeyPem => _dir.Combine("client.key");

    public async Task InitializeAsync()
    {
        using var ca = TestCertificates.CreateCa("Telemetry Test CA");
        using var other = TestCertificates.CreateCa("Some Other CA");
        await File.WriteAllTextAsync(CaPem, ca.ExportCertificatePem());
        await File.WriteAllTextAsync(OtherCaPem, other.ExportCertificatePem());
        using var serverCert = TestCertificates.Issue(ca, "CN=ingest.test", server: true);
        using var clientCert = TestCertificates.Issue(ca, "CN=edge-1", server: false);
        await File.WriteAllTextAsync(ClientCertPem, clientCert.ExportCertificatePem());
        await File.WriteAllTextAsync(ClientKeyPem, clientCert.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        var serverPfx = X509CertificateLoader.LoadPkcs12(serverCert.Export(X509ContentType.Pkcs12), null);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = serverPfx,
            ClientCertificateMode = ClientCertificateMode.AllowCertificate,
            ClientCertificateValidation = (_, _, _) => true,
        })));
        _server = builder.Build();
        _server.MapPost("/write", (HttpContext http) =>
        {
            _clientSeen = http.Connection.ClientCertificate?.Subject;
            return Results.NoContent();
        });
        await _server.StartAsync();
        var address = new Uri(_server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        Server = new Uri($"https://127.0.0.1:{address.Port}/");
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _dir.Dispose();
    }

    [Fact]
    public async Task Send_ServerFromConfiguredCa_DeliveredAndClientCertificatePresented()
    {
        var outcome = await SendAsync(Server, new DatacenterTlsOptions { CaFile = CaPem, ClientCertificateFile = ClientCertPem, ClientKeyFile = ClientKeyPem });
        Assert.Equal(DeliveryStatus.Delivered, outcome.Status);
        Assert.Equal("CN=edge-1", _clientSeen);
    }

    [Fact]
    public async Task Send_NoCaConfigured_CertificateErrorSaysWhichSettingFixesIt()
    {
        var outcome = await SendAsync(Server, tls: null);
        Assert.Equal(DeliveryStatus.CertificateError, outcome.Status);
        Assert.Contains("TLS to 127.0.0.1:", outcome.Message, StringComparison.Ordinal);
        Assert.Contains("set datacenter.tls.ca", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_OtherCa_CertificateError()
    {
        var outcome = await SendAsync(Server, new DatacenterTlsOptions { CaFile = OtherCaPem });
        Assert.Equal(DeliveryStatus.CertificateError, outcome.Status);
        Assert.Contains($"the CA in {OtherCaPem}", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_NameNotInCertificate_CertificateError()
    {
        var byName = new Uri($"https://localhost:{Server.Port}/");
        var outcome = await SendAsync(byName, new DatacenterTlsOptions { CaFile = CaPem });
        Assert.Equal(DeliveryStatus.CertificateError, outcome.Status);
        Assert.Contains("name 'localhost'", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_OtherCa_FailedWithHint()
    {
        var probe = new DatacenterProbe(Options(Server, new DatacenterTlsOptions { CaFile = OtherCaPem }), TimeSpan.FromSeconds(5));
        var result = await probe.RunAsync(CancellationToken.None);
        Assert.False(result.Ok);
        Assert.StartsWith("TLS handshake refused", result.Problem, StringComparison.Ordinal);
        Assert.Contains($"the CA in {OtherCaPem}", result.Hint, StringComparison.Ordinal);

        var good = await new DatacenterProbe(Options(Server, new DatacenterTlsOptions { CaFile = CaPem }), TimeSpan.FromSeconds(5)).RunAsync(CancellationToken.None);
        Assert.True(good.Ok, good.Problem);
        Assert.Equal("https, own CA", good.Security);
    }

    [Fact]
    public void Config_TlsWithPlainHttpOrMissingFile_RefusedWithLine()
    {
        const string Yaml = """
            edge: { id: e1, site: s1, data_dir: /tmp/e1 }
            datacenter:
              kind: victoriametrics
              url: URL
              tls: { ca: CA }
            sources: []
            """;
        var plain = Assert.Throws<ConfigException>(() => EdgeConfigLoader.Parse(Yaml.Replace("URL", "http://127.0.0.1:1", StringComparison.Ordinal).Replace("CA", CaPem, StringComparison.Ordinal), "edge.yaml"));
        Assert.Contains("edge.yaml:2:1: datacenter: tls settings need an https:// datacenter url", plain.Message, StringComparison.Ordinal);
        var missing = Assert.Throws<ConfigException>(() => EdgeConfigLoader.Parse(Yaml.Replace("URL", "https://127.0.0.1:1", StringComparison.Ordinal).Replace("CA", "/nonexistent/ca.pem", StringComparison.Ordinal), "edge.yaml"));
        Assert.Contains("edge.yaml:5:3: datacenter.tls: tls.ca: the file /nonexistent/ca.pem does not exist", missing.Message, StringComparison.Ordinal);
        var ok = EdgeConfigLoader.Parse(Yaml.Replace("URL", "https://127.0.0.1:1", StringComparison.Ordinal).Replace("CA", CaPem, StringComparison.Ordinal), "edge.yaml");
        Assert.Equal(CaPem, ok.Datacenter!.Tls!.CaFile);
    }

    private static DatacenterOptions Options(Uri server, DatacenterTlsOptions? tls) => new()
    {
        Kind = DatacenterKind.VictoriaMetrics,
        BaseUri = server,
        EdgeId = "edge-1",
        Tls = tls,
        RequestTimeout = TimeSpan.FromSeconds(5),
    };

    private static async Task<DeliveryOutcome> SendAsync(Uri server, DatacenterTlsOptions? tls)
    {
        using var client = new DatacenterClient(Options(server, tls));
        return await client.SendAsync("m v=1 1\n"u8.ToArray(), gzipped: false, new SpoolRange(0, 0));
    }
}
