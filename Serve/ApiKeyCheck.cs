using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace WaveFlow.Serve;

/// <summary>
/// The optional API key: requests to <c>/v1/*</c> carry it as <c>Authorization: Bearer KEY</c> or
/// <c>X-API-Key: KEY</c>. The comparison takes the same time whatever the key sent: both sides are
/// hashed with SHA-256 (equal lengths whatever was sent) and the hashes compared with
/// <see cref="CryptographicOperations.FixedTimeEquals"/>, so timing reveals neither the key's
/// length nor how many of its bytes a guess got right.
/// </summary>
internal sealed class ApiKeyCheck(string key)
{
    private readonly byte[] expected = SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public bool Allows(HttpRequest request)
    {
        string? given = null;
        if (request.Headers.TryGetValue("X-API-Key", out var k) && k.Count == 1) given = k.ToString();
        else if (request.Headers.Authorization.ToString() is var auth && auth.StartsWith("Bearer ", StringComparison.Ordinal)) given = auth["Bearer ".Length..].Trim();
        var actual = SHA256.HashData(Encoding.UTF8.GetBytes(given ?? ""));
        return CryptographicOperations.FixedTimeEquals(actual, expected) && given is not null;
    }
}
