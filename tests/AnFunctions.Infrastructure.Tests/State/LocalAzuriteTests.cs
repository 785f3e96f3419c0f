using System.Net;
using System.Net.Sockets;
using AnFunctions.LocalStorage;
using Azure.Data.Tables;

namespace AnFunctions.Infrastructure.Tests.State;

/// <summary>The one way the tests and the bench get an Azurite: started when nothing listens, and only what it started is stopped.</summary>
public sealed class LocalAzuriteTests
{
    [Fact]
    public async Task UseOrStartTableAsync_NothingListens_StartsItThereAndStopsItWhenDisposed()
    {
        var port = FreePort();
        var azurite = await LocalAzurite.UseOrStartTableAsync(port);
        try
        {
            Assert.True(azurite.StartedHere);
            Assert.Contains($"TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;", azurite.ConnectionString, StringComparison.Ordinal);
            var table = new TableClient(azurite.ConnectionString, "probe" + Guid.NewGuid().ToString("N")[..8]);
            await table.CreateIfNotExistsAsync();
            await table.AddEntityAsync(new TableEntity("p", "r"));
            Assert.NotNull(azurite.WorkingSetMb());
        }
        finally
        {
            await azurite.DisposeAsync();
        }

        Assert.False(await IsListeningAsync(port));
    }

    [Fact]
    public async Task UseOrStartTableAsync_SomethingListens_UsesItAndNeverStopsIt()
    {
        var first = await LocalAzurite.UseOrStartTableAsync(FreePort());
        try
        {
            var port = int.Parse(first.ConnectionString.Split("127.0.0.1:")[1].Split('/')[0], System.Globalization.CultureInfo.InvariantCulture);

            var second = await LocalAzurite.UseOrStartTableAsync(port);
            Assert.False(second.StartedHere);
            Assert.Null(second.WorkingSetMb());
            await second.DisposeAsync();

            // The first one's Azurite still answers: the second never stopped what it did not start.
            Assert.True(await IsListeningAsync(port));
            await new TableClient(first.ConnectionString, "probe" + Guid.NewGuid().ToString("N")[..8]).CreateIfNotExistsAsync();
        }
        finally
        {
            await first.DisposeAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<bool> IsListeningAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
