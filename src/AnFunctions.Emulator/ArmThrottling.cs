using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AnFunctions.Emulator;

/// <summary>
/// ARM's request throttling as it documents it (2024 regional token buckets): per security principal, per subscription
/// (or the tenant, for calls outside one) and per kind of operation, a bucket of tokens that each request takes one of
/// and that refills at a fixed rate. An empty bucket answers 429 with <c>Retry-After</c>; every answer says what is left
/// in <c>x-ms-ratelimit-remaining-subscription-reads|writes|deletes</c>. Sizes default to ARM's published ones: reads
/// 250 refilling 25 per second, writes and deletes 200 refilling 10 per second.
/// </summary>
public sealed class ArmThrottling
{
    /// <summary>No throttling: for tests and benchmarks that measure something else.</summary>
    public static ArmThrottling Off { get; } = new() { Enabled = false };

    /// <summary>ARM's published subscription limits.</summary>
    public static ArmThrottling AsArmDocuments { get; } = new();

    public bool Enabled { get; init; } = true;

    public int ReadBucket { get; init; } = 250;
    public double ReadsPerSecond { get; init; } = 25;
    public int WriteBucket { get; init; } = 200;
    public double WritesPerSecond { get; init; } = 10;
    public int DeleteBucket { get; init; } = 200;
    public double DeletesPerSecond { get; init; } = 10;

    internal (int Size, double Rate) For(OperationType type) => type switch
    {
        OperationType.Read => (ReadBucket, ReadsPerSecond),
        OperationType.Delete => (DeleteBucket, DeletesPerSecond),
        _ => (WriteBucket, WritesPerSecond),
    };

    internal enum OperationType
    {
        Read,
        Write,
        Delete,
    }

    internal static OperationType TypeOf(string method) => method switch
    {
        "GET" or "HEAD" => OperationType.Read,
        "DELETE" => OperationType.Delete,
        _ => OperationType.Write,
    };

    /// <summary>The header ARM names the remaining quota in, for a subscription's or the tenant's calls.</summary>
    internal static string RemainingHeader(string? subscriptionId, OperationType type) =>
        $"x-ms-ratelimit-remaining-{(subscriptionId is null ? "tenant" : "subscription")}-{type switch { OperationType.Read => "reads", OperationType.Delete => "deletes", _ => "writes" }}";

    /// <summary>Who is calling, as ARM tells principals apart: here, by their bearer token (never kept, only a digest).</summary>
    internal static string PrincipalOf(string? authorization) =>
        string.IsNullOrEmpty(authorization)
            ? "anonymous"
            : "principal-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(authorization)))[..12];

    internal static string RetryAfterText(TimeSpan wait) =>
        ((long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}

/// <summary>The buckets of one emulator, by principal, scope and kind of operation. Thread-safe.</summary>
internal sealed class ThrottleBuckets
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Principal, string Scope, ArmThrottling.OperationType Type), Bucket> _buckets = [];

    /// <summary>Takes a token: (true, tokens left) or (false, how long until one is back).</summary>
    public (bool Allowed, long Remaining, TimeSpan RetryAfter) Take(ArmThrottling settings, string principal, string scope, ArmThrottling.OperationType type, DateTimeOffset now)
    {
        var (size, rate) = settings.For(type);
        lock (_gate)
        {
            if (!_buckets.TryGetValue((principal, scope, type), out var bucket))
            {
                bucket = new Bucket { Tokens = size, Last = now };
                _buckets[(principal, scope, type)] = bucket;
            }

            if (now > bucket.Last)
            {
                bucket.Tokens = Math.Min(size, bucket.Tokens + ((now - bucket.Last).TotalSeconds * rate));
                bucket.Last = now;
            }

            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                return (true, (long)Math.Floor(bucket.Tokens), TimeSpan.Zero);
            }

            var wait = rate > 0 ? TimeSpan.FromSeconds((1 - bucket.Tokens) / rate) : TimeSpan.FromHours(1);
            return (false, 0, wait);
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _buckets.Clear();
        }
    }

    private sealed class Bucket
    {
        public double Tokens { get; set; }
        public DateTimeOffset Last { get; set; }
    }
}
