using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AnFunctions.Api.Auth;

/// <summary>
/// The caller as App Service authentication passes it to the app: header <c>X-MS-CLIENT-PRINCIPAL</c>, Base64 of
/// <c>{"auth_typ", "name_typ", "role_typ", "claims": [{"typ", "val"}]}</c>. App Service removes this header from
/// incoming requests and sets it only for a caller it authenticated, so it is trusted only while authentication is
/// on (<see cref="ApiAuthOptions.Enabled"/>).
/// </summary>
public sealed record ClientPrincipal(string? AuthenticationType, string? Name, string? ObjectId, IReadOnlyList<string> Roles)
{
    public const string Header = "X-MS-CLIENT-PRINCIPAL";

    /// <summary>Larger headers are refused unread (a token with every group claim is far smaller).</summary>
    public const int MaxHeaderLength = 16 * 1024;

    private const string RoleClaimType = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role";
    private const string ObjectIdClaimType = "http://schemas.microsoft.com/identity/claims/objectidentifier";

    private static readonly JsonSerializerOptions Options = new() { PropertyNameCaseInsensitive = false };

    /// <summary>The principal in <paramref name="header"/>, or null (with the reason) when it is missing or unreadable.</summary>
    public static ClientPrincipal? Parse(string? header, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(header))
        {
            error = "no caller principal";
            return null;
        }

        if (header.Length > MaxHeaderLength)
        {
            error = "the caller principal header is too large";
            return null;
        }

        Wire? wire;
        try
        {
            var bytes = Convert.FromBase64String(header.Trim());
            wire = JsonSerializer.Deserialize<Wire>(Encoding.UTF8.GetString(bytes), Options);
        }
        catch (Exception e) when (e is FormatException or JsonException or DecoderFallbackException)
        {
            error = "the caller principal header is not Base64 JSON";
            return null;
        }

        if (wire?.Claims is not { } claims)
        {
            error = "the caller principal has no claims";
            return null;
        }

        var roleType = string.IsNullOrEmpty(wire.RoleType) ? RoleClaimType : wire.RoleType;
        string? First(params string?[] types) =>
            claims.FirstOrDefault(c => c.Value is not null && types.Any(t => t is not null && string.Equals(c.Type, t, StringComparison.Ordinal)))?.Value;

        var roles = claims
            .Where(c => c.Value is not null && (c.Type == roleType || c.Type == "roles" || c.Type == RoleClaimType))
            .Select(c => c.Value!)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return new ClientPrincipal(wire.AuthenticationType, First(wire.NameType, "name", "preferred_username"), First(ObjectIdClaimType, "oid"), roles);
    }

    /// <summary>The header value for a principal with these claims (tests, local tools).</summary>
    public static string Encode(IEnumerable<(string Type, string Value)> claims, string authenticationType = "aad")
    {
        var wire = new Wire
        {
            AuthenticationType = authenticationType,
            NameType = "name",
            RoleType = RoleClaimType,
            Claims = claims.Select(c => new WireClaim { Type = c.Type, Value = c.Value }).ToList(),
        };
        return Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(wire, Options));
    }

    /// <summary>The header value for a caller holding <paramref name="roles"/>, as Entra ID tokens carry them (claim <c>roles</c>).</summary>
    public static string EncodeWithRoles(string objectId, params string[] roles) =>
        Encode(new[] { (ObjectIdClaimType, objectId), ("name", "caller " + objectId) }.Concat(roles.Select(r => ("roles", r))));

    private sealed class Wire
    {
        [JsonPropertyName("auth_typ")]
        public string? AuthenticationType { get; set; }

        [JsonPropertyName("name_typ")]
        public string? NameType { get; set; }

        [JsonPropertyName("role_typ")]
        public string? RoleType { get; set; }

        [JsonPropertyName("claims")]
        public List<WireClaim>? Claims { get; set; }
    }

    private sealed class WireClaim
    {
        [JsonPropertyName("typ")]
        public string? Type { get; set; }

        [JsonPropertyName("val")]
        public string? Value { get; set; }
    }
}
