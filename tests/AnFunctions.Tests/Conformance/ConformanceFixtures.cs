using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AnFunctions.Core.Options;
using AnFunctions.Emulation;
using AnFunctions.Emulator;
using AnFunctions.Infrastructure.Arm;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Options;

namespace AnFunctions.Tests.Conformance;

/// <summary>
/// The public payloads the conformance tests read, kept byte for byte in <c>tests/fixtures</c> (see its
/// PROVENANCE.md), and the app's ARM adapters over an emulator.
/// </summary>
internal static partial class ConformanceFixtures
{
    /// <summary>The subscription put in place of <c>{subscription-id}</c> placeholders.</summary>
    public const string Subscription = "8d3f6a2b-5c1e-4b7a-9e0d-2f4a6c8b1d35";

    public static string Fixtures => RepoPaths.Fixtures;

    /// <summary>
    /// Files under a fixtures folder, as paths relative to <c>tests/fixtures/</c> with '/' separators (stable test names).
    /// A missing or empty folder is an error, never an empty list: a test must not pass or vanish for want of its data.
    /// </summary>
    public static IReadOnlyList<string> Files(string folder, string pattern, SearchOption option = SearchOption.AllDirectories)
    {
        var root = Path.Combine(Fixtures, folder);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"{root} is missing: the conformance fixtures are part of the repository (tests/fixtures)");
        }

        var files = Directory.EnumerateFiles(root, pattern, option)
            .Select(f => Path.GetRelativePath(Fixtures, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
        return files.Count > 0 ? files : throw new FileNotFoundException($"no {pattern} under {root}");
    }

    public static string Read(string relative) => File.ReadAllText(Path.Combine(Fixtures, relative));

    public static JsonNode ReadJson(string relative) =>
        JsonNode.Parse(Read(relative)) ?? throw new InvalidDataException($"{relative} is JSON null");

    /// <summary>
    /// Replaces the spec examples' placeholders (<c>{subscription-id}</c>, <c>{vmss-name}</c>, ...) so that ids are
    /// valid: subscription placeholders become <see cref="Subscription"/>, any other becomes its own name without braces.
    /// </summary>
    public static JsonNode WithoutPlaceholders(JsonNode node) =>
        JsonNode.Parse(Placeholder().Replace(node.ToJsonString(), m =>
            m.Groups[1].Value.Replace("-", string.Empty, StringComparison.Ordinal).Equals("subscriptionid", StringComparison.OrdinalIgnoreCase)
                ? Subscription
                : m.Groups[1].Value))!;

    [GeneratedRegex(@"\{([A-Za-z][A-Za-z0-9_-]*)\}")]
    private static partial Regex Placeholder();

    /// <summary>The app's ARM connection over the emulator, as the Functions host builds it, with retries off.</summary>
    public static ArmConnection Connection(ArmEmulator emulator) =>
        new(EmulatorCredential.Instance,
            new HttpClientTransport(new HttpClient(emulator.CreateHandler())),
            Options.Create(new ArmOptions { Endpoint = ArmEmulator.BaseUri, MaxRetries = 0 }));
}
