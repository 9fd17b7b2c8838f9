using Microsoft.Extensions.Logging.Abstractions;
using Telemetry.Core;
using Telemetry.Edge.Forwarding;
using Telemetry.Ingest.Configuration;
using Telemetry.Ingest.Hosting;
using Telemetry.Ingest.Sites;
using Telemetry.Storage;
using Telemetry.Testing;

namespace Telemetry.EndToEnd.Tests;

/// <summary>The forwarder and telemetry-ingest over HTTPS with mutual TLS, both sides configured from files.</summary>
public sealed class TransportSecurityTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("e2e-tls");
    private IngestServer _ingest = null!;
    private long _accepted;

    public async Task InitializeAsync()
    {
        using var ca = TestCertificates.CreateCa("Datacenter Test CA");
        await File.WriteAllTextAsync(_dir.Combine("ca.pem"), ca.ExportCertificatePem());
        using var server = TestCertificates.Issue(ca, "CN=ingest.test", server: true);
        TestCertificates.WritePem(server, _dir.Combine("ingest.pem"), _dir.Combine("ingest.key"));
        using var client = TestCertificates.Issue(ca, "CN=edge-1", server: false);
        TestCertificates.WritePem(client, _dir.Combine("edge.pem"), _dir.Combine("edge.key"));
        _ingest = await IngestServer.StartAsync(new IngestOptions
        {
            Listen = [new Uri($"https://127.0.0.1:{FreePort.Get()}")],
            Tls = new TlsOptions
            {
                CertificatePath = _dir.Combine("ingest.pem"),
                KeyPath = _dir.Combine("ingest.key"),
                ClientCertificates = ClientCertificateMode.Require,
                ClientCaPath = _dir.Combine("ca.pem"),
            },
            Sites = [new SiteOptions { Name = EndToEndRig.Site, TokenHashes = [SiteTokens.Hash(EndToEndRig.Token)] }],
        }, new IngestServerSettings { Loggers = NullLoggerFactory.Instance });
        _ingest.Services.Accepted += (_, samples) => Interlocked.Add(ref _accepted, samples.Length);
    }

    public async Task DisposeAsync()
    {
        await _ingest.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Forward_HttpsWithClientCertificate_Delivered()
    {
        var (spool, forwarder) = await StartEdgeAsync(new DatacenterTlsOptions
        {
            CaFile = _dir.Combine("ca.pem"),
            ClientCertificateFile = _dir.Combine("edge.pem"),
            ClientKeyFile = _dir.Combine("edge.key"),
        });
        await using (spool)
        using (forwarder)
        {
            await AppendAsync(spool, 500);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (spool.AcknowledgedBelow < spool.DurableNextSequence && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            await forwarder.StopAsync(CancellationToken.None);
            Assert.Equal(spool.DurableNextSequence, spool.AcknowledgedBelow);
            Assert.Equal(500, Interlocked.Read(ref _accepted));
        }
    }

    [Fact]
    public async Task Forward_NoClientCertificate_RefusedWithClearErrorNothingAcknowledged()
    {
        var (spool, forwarder) = await StartEdgeAsync(new DatacenterTlsOptions { CaFile = _dir.Combine("ca.pem") });
        await using (spool)
        using (forwarder)
        {
            await AppendAsync(spool, 50);
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (forwarder.Status.LastError is null && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            await forwarder.StopAsync(CancellationToken.None);
            Assert.Equal(0, spool.AcknowledgedBelow);
            Assert.Equal(0, Interlocked.Read(ref _accepted));
            Assert.NotNull(forwarder.Status.LastError);
        }
    }

    private async Task<(Spool Spool, Forwarder Forwarder)> StartEdgeAsync(DatacenterTlsOptions tls)
    {
        var spool = await Spool.OpenAsync(new SpoolOptions(_dir.Combine("spool-" + Guid.NewGuid().ToString("N"))));
        var forwarder = new Forwarder(spool, new DatacenterOptions
        {
            Kind = DatacenterKind.TelemetryIngest,
            BaseUri = _ingest.BaseAddress,
            EdgeId = "edge-tls",
            Token = EndToEndRig.Token,
            Tls = tls,
            MaxRetryDelay = TimeSpan.FromSeconds(1),
            RequestTimeout = TimeSpan.FromSeconds(5),
        }, NullLogger<Forwarder>.Instance);
        await forwarder.StartAsync(CancellationToken.None);
        return (spool, forwarder);
    }

    private static async Task AppendAsync(Spool spool, int count)
    {
        using var batch = new SampleBatch(count);
        var path = new AssetPath(EndToEndRig.Site, "a", "l", "m1", "speed");
        for (var i = 0; i < count; i++)
        {
            batch.Add(Sample.Create(path, EndToEndRig.BaseTimeNs + i, SampleValue.FromDouble(i), EndToEndRig.BaseTimeNs + i));
        }

        await spool.WriteAsync(batch);
    }
}
