using System.Buffers.Binary;
using P2PNode.Compression;

namespace P2PNode.Core.Tests.Compression;

public class DeltaFuzzTests
{
    [Fact]
    public void Mutated_payloads_only_ever_throw_DeltaFormatException_and_never_decode_to_non_finite_values()
    {
        var rng = new Random(20240611);
        var seeds = new List<(byte[] Payload, int N)>();
        foreach (var spec in TestVectors.AllSpecs())
        foreach (var n in new[] { 1, 9, 130 })
            seeds.Add((new DeltaEncoder(spec).Encode(TestVectors.Gaussian(n, seeds.Count)), n));

        int rejected = 0, accepted = 0;
        var output = new float[130];
        for (var iteration = 0; iteration < 30_000; iteration++)
        {
            var (seed, n) = seeds[rng.Next(seeds.Count)];
            var mutated = Mutate(seed, n, rng);
            var before = output.AsSpan(0, n).ToArray();
            try
            {
                if (iteration % 2 == 0) DeltaDecoder.Decode(mutated, n, output.AsSpan(0, n));
                else DeltaDecoder.DecodeAdd(mutated, n, output.AsSpan(0, n), 0.5f);
                accepted++;
                for (var i = 0; i < n; i++)
                    if (!float.IsFinite(output[i])) Assert.Fail($"iteration {iteration}: output[{i}] = {output[i]} from {Convert.ToHexString(mutated)}");
            }
            catch (DeltaFormatException)
            {
                rejected++;
                Assert.Equal(before, output.AsSpan(0, n).ToArray());
            }
            catch (Exception e)
            {
                Assert.Fail($"iteration {iteration}: {e.GetType().Name} ({e.Message}) from {Convert.ToHexString(mutated)}");
            }
            if (iteration % 64 == 0) Array.Clear(output); // keep DecodeAdd sums bounded
        }
        Assert.True(rejected > 10_000, $"only {rejected} rejected");
        Assert.True(accepted > 1_000, $"only {accepted} accepted: the mutations are too destructive to explore decoding");
    }

    private static byte[] Mutate(byte[] p, int n, Random rng)
    {
        var q = (byte[])p.Clone();
        switch (rng.Next(9))
        {
            case 0: // bit flips anywhere
            case 1:
                for (var f = rng.Next(1, 4); f > 0; f--) q[rng.Next(q.Length)] ^= (byte)(1 << rng.Next(8));
                return q;
            case 2: // bit flip in the body only (exercises section validation, not just the header)
                if (q.Length > 24) q[24 + rng.Next(q.Length - 24)] ^= (byte)(1 << rng.Next(8));
                return q;
            case 3: // truncate
                return q[..rng.Next(q.Length)];
            case 4: // extend with random bytes
                var tail = new byte[rng.Next(1, 9)];
                rng.NextBytes(tail);
                return [.. q, .. tail];
            case 5: // header length field edits
                var field = 8 + 4 * rng.Next(4);
                var old = BinaryPrimitives.ReadUInt32LittleEndian(q.AsSpan(field));
                uint[] choices = [0, 1, old - 1, old + 1, old * 2, (uint)n, 0xFFFFFFFF, 0x7FFFFFFF, (uint)rng.Next()];
                BinaryPrimitives.WriteUInt32LittleEndian(q.AsSpan(field), choices[rng.Next(choices.Length)]);
                return q;
            case 6: // random body behind a plausible header
                rng.NextBytes(q.AsSpan(24));
                return q;
            case 7: // entirely random bytes, sometimes with the right magic and version
                var r = new byte[rng.Next(0, 80)];
                rng.NextBytes(r);
                if (r.Length >= 5 && rng.Next(2) == 0) { "P2DL"u8.CopyTo(r); r[4] = 1; }
                return r;
            default: // codec / index encoding swap
                q[5 + rng.Next(2)] = (byte)rng.Next(7);
                return q;
        }
    }
}
