using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;

namespace AnFunctions.Infrastructure.Tables;

/// <summary>
/// Reading and writing <see cref="TableEntity"/> columns the way every store of the app does: nulls are not written
/// (a replace removes them), lists are a JSON array string, enums are stored by name, text longer than one Table
/// property is split over numbered columns, and a missing or unreadable required column is an
/// <see cref="InvalidDataException"/> naming the entity.
/// </summary>
internal static class EntityColumns
{
    /// <summary>
    /// One Table string property holds at most 64 KiB (32,768 UTF-16 chars): text longer than this many chars is split
    /// over <c>{column}</c>, <c>{column}1</c>, <c>{column}2</c>... by <see cref="SetSplit"/>.
    /// </summary>
    public const int ChunkLength = 32_000;

    /// <summary>Writes <paramref name="value"/> over as many columns as needed (see <see cref="ChunkLength"/>).</summary>
    public static void SetSplit(TableEntity entity, string column, string value)
    {
        var chunks = Split(value, ChunkLength);
        for (var i = 0; i < chunks.Count; i++)
        {
            entity[ChunkColumn(column, i)] = chunks[i];
        }
    }

    /// <summary>Cuts <paramref name="value"/> into pieces of at most <paramref name="length"/> chars, never inside a surrogate pair.</summary>
    public static IReadOnlyList<string> Split(string value, int length)
    {
        var chunks = new List<string>();
        var start = 0;
        do
        {
            var take = Math.Min(length, value.Length - start);
            if (take < value.Length - start && char.IsHighSurrogate(value[start + take - 1]))
            {
                take--;
            }

            chunks.Add(value.Substring(start, take));
            start += take;
        }
        while (start < value.Length);

        return chunks;
    }

    /// <summary>The text written by <see cref="SetSplit"/>, or null when the column is absent.</summary>
    public static string? Join(TableEntity entity, string column)
    {
        var first = entity.GetString(column);
        if (first is null)
        {
            return null;
        }

        var builder = new StringBuilder(first);
        for (var i = 1; entity.GetString(ChunkColumn(column, i)) is { } next; i++)
        {
            builder.Append(next);
        }

        return builder.ToString();
    }

    public static string RequiredJoin(TableEntity entity, string column) =>
        Join(entity, column) ?? throw Corrupt(entity, $"has no {column}");

    public static void SetIfNotNull(TableEntity entity, string column, object? value)
    {
        if (value is not null)
        {
            entity[column] = value;
        }
    }

    public static IReadOnlyList<string> ReadList(TableEntity entity, string column) =>
        Array.AsReadOnly(entity.GetString(column) is { } json ? JsonSerializer.Deserialize<string[]>(json) ?? [] : []);

    public static string Required(TableEntity entity, string column) =>
        entity.GetString(column) ?? throw Corrupt(entity, $"has no {column}");

    public static DateTimeOffset RequiredDate(TableEntity entity, string column) =>
        entity.GetDateTimeOffset(column) ?? throw Corrupt(entity, $"has no {column}");

    public static T ParseEnum<T>(TableEntity entity, string column)
        where T : struct, Enum =>
        Enum.TryParse<T>(Required(entity, column), ignoreCase: false, out var value) && Enum.IsDefined(value)
            ? value
            : throw Corrupt(entity, $"has an unknown {column} '{entity.GetString(column)}'");

    public static InvalidDataException Corrupt(TableEntity entity, string what, Exception? inner = null) =>
        new($"the entity {entity.PartitionKey}/{entity.RowKey} {what}", inner);

    private static string ChunkColumn(string column, int index) =>
        index == 0 ? column : column + index.ToString(CultureInfo.InvariantCulture);
}
