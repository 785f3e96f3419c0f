using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace AnFunctions.Tests.Conformance;

/// <summary>
/// <c>tests/fixtures/PROVENANCE.md</c> names every fixture with its size and SHA-256: the copies stay byte for byte
/// what their source published, and nothing lands in the folder without saying where it comes from.
/// </summary>
public sealed partial class FixtureProvenanceTests
{
    private const string ProvenanceFile = "PROVENANCE.md";

    /// <summary>The rows of the provenance tables: a backquoted file, then the bytes and SHA-256 cells among the others.</summary>
    private static Dictionary<string, (long Bytes, string Sha256)> Rows()
    {
        var rows = new Dictionary<string, (long Bytes, string Sha256)>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(RepoPaths.Fixtures, ProvenanceFile)))
        {
            var cells = line.Split('|', StringSplitOptions.TrimEntries);
            if (cells.Length < 3 || FileCell().Match(cells[1]) is not { Success: true } file)
            {
                continue;
            }

            var bytes = cells.Skip(2).Single(c => Bytes().IsMatch(c));
            var sha = cells.Skip(2).Single(c => Sha256().IsMatch(c));
            Assert.True(rows.TryAdd(file.Groups[1].Value, (long.Parse(bytes, CultureInfo.InvariantCulture), sha)), $"{file.Groups[1].Value} has two rows");
        }

        return rows;
    }

    private static List<string> FilesOnDisk() =>
        Directory.EnumerateFiles(RepoPaths.Fixtures, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(RepoPaths.Fixtures, f).Replace('\\', '/'))
            .Where(f => f != ProvenanceFile)
            .Order(StringComparer.Ordinal)
            .ToList();

    [Fact]
    public void Provenance_EveryFixture_HasExactlyOneRowAndEveryRowAFile()
    {
        var rows = Rows();
        var files = FilesOnDisk();

        Assert.NotEmpty(files);
        Assert.Equal(files, rows.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Provenance_EveryFixture_BytesAndSha256AsListed()
    {
        var mismatches = new List<string>();
        foreach (var (file, expected) in Rows())
        {
            var bytes = File.ReadAllBytes(Path.Combine(RepoPaths.Fixtures, file));
            var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (bytes.LongLength != expected.Bytes || sha != expected.Sha256)
            {
                mismatches.Add($"{file}: {bytes.LongLength} bytes, SHA-256 {sha}; PROVENANCE.md says {expected.Bytes} bytes, {expected.Sha256}");
            }
        }

        Assert.True(mismatches.Count == 0, string.Join(Environment.NewLine, mismatches));
    }

    [GeneratedRegex(@"^`([^`]+)`$")]
    private static partial Regex FileCell();

    [GeneratedRegex(@"^[0-9]+$")]
    private static partial Regex Bytes();

    [GeneratedRegex(@"^[0-9a-f]{64}$")]
    private static partial Regex Sha256();
}
