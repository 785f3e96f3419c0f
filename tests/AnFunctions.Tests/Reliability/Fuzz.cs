using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;

namespace AnFunctions.Tests.Reliability;

/// <summary>
/// Generators of hostile input for the fuzz properties, and the iteration count: small by default so that the
/// default test run stays fast, <c>ANFUNCTIONS_FUZZ_ITERATIONS</c> for the long run.
/// </summary>
internal static class Fuzz
{
    public const string IterationsVariable = "ANFUNCTIONS_FUZZ_ITERATIONS";

    public static long Iterations(long defaultCount = 2_000) =>
        long.TryParse(Environment.GetEnvironmentVariable(IterationsVariable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : defaultCount;

    /// <summary>A JSON value, null included (CsCheck's generators want a non-null element type).</summary>
    public sealed record Json(JsonNode? Node);

    public static readonly string ExistingPool = Fleet.Id("pool-fuzz");

    /// <summary>Resource ids an attacker or a broken producer could send: traversal, children, other providers, look-alikes.</summary>
    public static readonly string[] HostileIds =
    [
        ExistingPool,
        ExistingPool.ToUpperInvariant(),
        ExistingPool + "/",
        ExistingPool + "/virtualMachines/0",
        ExistingPool + "/extensions/x",
        Fleet.Id("no-such-pool"),
        Fleet.Id("other", "ffffffff-ffff-4fff-8fff-ffffffffffff"),
        Fleet.Id(".."),
        Fleet.Id("%2e%2e"),
        Fleet.Id("pool-fuzz\r\nINJECTED"),
        Fleet.Id("pool-fuzz\u0000"),
        Fleet.Id("pооl-fuzz"), // Cyrillic o
        Fleet.Id(new string('a', 5000)),
        " " + ExistingPool,
        ExistingPool.Replace("/resourceGroups/", "/resourceGroups/../", StringComparison.Ordinal),
        ExistingPool.Replace("virtualMachineScaleSets", "virtualMachines", StringComparison.Ordinal),
        ExistingPool.Replace("Microsoft.Compute", "Microsoft.Evil", StringComparison.Ordinal),
        ExistingPool.Replace(AppUnderTest.Subscription, "not-a-guid", StringComparison.Ordinal),
        ExistingPool.Replace("/subscriptions/", "//subscriptions/", StringComparison.Ordinal),
        "/subscriptions/" + AppUnderTest.Subscription,
        "/subscriptions/../../providers/Microsoft.Compute/virtualMachineScaleSets/x",
        "https://evil.example/" + ExistingPool,
        "subscriptions/" + AppUnderTest.Subscription + "/resourceGroups/k8s-test/providers/Microsoft.Compute/virtualMachineScaleSets/pool-fuzz",
        "",
        "/",
        "null",
    ];

    private static readonly string[] OddStrings =
    [
        "", " ", "\r\n", "\t", "\u0000", "\u001b[31m", "\uFEFF", "\u202Eevil", "💥", "\uD800", "\uDFFF", "a\u0301", "null", "true", "0", "-1",
        "1e309", "NaN", "2026-13-45T99:99:99Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "{", "}", "[", "\"", "\\", "%00", "${jndi:ldap://x}",
        "Microsoft.Resources.ResourceWriteSuccess", "Microsoft.Resources.ResourceWriteFailure", "Microsoft.Resources.ResourceWriteCancel",
        "Microsoft.Resources.ResourceDeleteSuccess", "Microsoft.Resources.ResourceActionSuccess", "microsoft.resources.resourcewritesuccess",
        "Microsoft.Compute/virtualMachineScaleSets/write", "Microsoft.Compute/virtualMachineScaleSets/delete", "PUT", "PATCH",
    ];

    public static readonly Gen<string> OddString = Gen.Frequency(
        (4, Gen.OneOf(OddStrings)),
        (3, Gen.OneOf(HostileIds)),
        (2, Gen.String),
        (1, Gen.Char.Array[0, 40].Select(c => new string(c))),
        (1, Gen.Int[1, 70_000].Select(n => new string('x', n))));

    private static readonly Gen<Json> Scalar = Gen.Frequency(
        (4, OddString.Select(s => new Json(JsonValue.Create(s)))),
        (1, Gen.Long.Select(n => new Json(JsonValue.Create(n)))),
        (1, Gen.Double.Select(d => new Json(JsonValue.Create(double.IsFinite(d) ? d : 0.5)))),
        (1, Gen.Bool.Select(b => new Json(JsonValue.Create(b)))),
        (1, Gen.Const(new Json(null))));

    /// <summary>A JSON value of any shape: scalars, odd strings, arrays of mixed elements, nested objects.</summary>
    public static readonly Gen<Json> Value = Gen.Recursive<Json>((depth, self) => depth >= 4
        ? Scalar
        : Gen.Frequency(
            (6, Scalar),
            (1, self.List[0, 4].Select(items => new Json(new JsonArray(items.Select(i => i.Node).ToArray())))),
            (1, Gen.Select(OddString.List[0, 4], self.List[0, 4], (keys, values) =>
            {
                var obj = new JsonObject();
                for (var i = 0; i < Math.Min(keys.Count, values.Count); i++)
                {
                    obj[keys[i]] = values[i].Node;
                }

                return new Json(obj);
            }))));

    /// <summary>One change to a JSON object: remove a field, set it to anything, add an unknown one.</summary>
    public sealed record Mutation(int Op, int Field, string Key, Json Value);

    public static readonly Gen<Mutation> Mutations = Gen.Select(Gen.Int[0, 4], Gen.Int[0, 1000], OddString, Value, (op, field, key, value) => new Mutation(op, field, key, value));

    public static void Apply(JsonObject target, Mutation m)
    {
        var keys = target.Select(p => p.Key).ToList();
        var existing = keys.Count == 0 ? null : keys[m.Field % keys.Count];
        switch (m.Op)
        {
            case 0 when existing is not null:
                target.Remove(existing);
                break;
            case 1 when existing is not null:
                target[existing] = m.Value.Node?.DeepClone();
                break;
            case 2 when existing is not null:
                // Same name, other case: a producer's spelling mistake or an attempt to shadow the real field.
                var value = target[existing]?.DeepClone();
                target.Remove(existing);
                target[existing.ToUpperInvariant()] = value;
                break;
            default:
                target[m.Key] = m.Value.Node?.DeepClone();
                break;
        }
    }

    /// <summary>Text-level damage: cut, insert, a duplicated key, deep nesting, a byte-order mark.</summary>
    public sealed record TextDamage(int Kind, int Position, string Insert, int Depth);

    public static readonly Gen<TextDamage> TextDamages = Gen.Select(Gen.Int[0, 6], Gen.Int[0, 100_000], OddString, Gen.Int[1, 300],
        (kind, position, insert, depth) => new TextDamage(kind, position, insert, depth));

    public static string Damage(string json, TextDamage d)
    {
        var at = json.Length == 0 ? 0 : d.Position % json.Length;
        return d.Kind switch
        {
            0 => json,
            1 => json[..at],
            2 => json.Insert(at, d.Insert),
            3 => json.StartsWith('{') ? "{\"id\":" + Quote(d.Insert) + "," + json[1..] : json, // duplicate key
            4 => json.Replace("\"data\":{", "\"data\":{\"deep\":" + new string('[', d.Depth) + new string(']', d.Depth) + ",", StringComparison.Ordinal),
            5 => "\uFEFF" + json,
            _ => json.Replace(":", ": ", StringComparison.Ordinal),
        };
    }

    private static string Quote(string s) => JsonValue.Create(s).ToJsonString();

    /// <summary>A structurally plausible event of either schema for one of the hostile ids, then mutated.</summary>
    public static readonly Gen<string> Event = Gen.Select(
        Gen.Bool, Gen.OneOf(HostileIds), Gen.OneOf(OddStrings.Where(s => s.StartsWith("Microsoft.Resources", StringComparison.Ordinal)).ToArray()),
        Mutations.List[0, 4], Mutations.List[0, 4], Gen.Int[1, 1_000_000],
        (cloud, id, type, top, data, n) =>
        {
            var json = JsonNode.Parse(cloud ? CloudEvent(id, type, "ce-" + n) : Fleet.WriteEvent(id, "eg-" + n, type))!.AsObject();
            foreach (var m in top)
            {
                Apply(json, m);
            }

            if (json["data"] is JsonObject d)
            {
                foreach (var m in data)
                {
                    Apply(d, m);
                }
            }

            return json.ToJsonString();
        });

    /// <summary>A delivery: one event or an array of events and junk, then possibly damaged as text.</summary>
    public static readonly Gen<string> Delivery = Gen.Select(
        Gen.Frequency((3, Event.Select(e => new Json(JsonNode.Parse(e)))), (1, Value)).List[1, 5], Gen.Bool, TextDamages,
        (elements, single, damage) =>
        {
            var text = single ? elements[0].Node?.ToJsonString() ?? "null" : new JsonArray(elements.Select(e => e.Node?.DeepClone()).ToArray()).ToJsonString();
            return Damage(text, damage);
        });

    /// <summary>Anything: arbitrary strings and arbitrary bytes read as UTF-8.</summary>
    public static readonly Gen<string> Anything = Gen.Frequency(
        (1, Gen.String),
        (1, Gen.Byte.Array[0, 400].Select(b => Encoding.UTF8.GetString(b))),
        (1, OddString));

    public static string CloudEvent(string id, string type, string eventId) =>
        new JsonObject
        {
            ["specversion"] = "1.0",
            ["id"] = eventId,
            ["source"] = "/subscriptions/" + AppUnderTest.Subscription,
            ["subject"] = id,
            ["type"] = type,
            ["time"] = "2026-11-25T09:59:58Z",
            ["data"] = new JsonObject
            {
                ["resourceUri"] = id,
                ["operationName"] = "Microsoft.Compute/virtualMachineScaleSets/write",
                ["status"] = "Succeeded",
                ["correlationId"] = "0f1e2d3c-4b5a-4968-8776-655443322110",
                ["subscriptionId"] = AppUnderTest.Subscription,
            },
        }.ToJsonString();
}
