namespace Rdns.Zones.Images;

/// <summary>
/// The target suffixes an image's tables name, numbered in the image from 0 in order of first use:
/// the process's own numbers (<see cref="TargetSuffixes"/>) differ from one run to the next, so an
/// image carries the suffixes themselves and a reader numbers them anew.
/// </summary>
internal sealed class ImageSuffixNumbers
{
    private readonly Dictionary<int, int> _numbers = [];
    private readonly List<int> _order = [];

    /// <summary>The image's number for the process's suffix <paramref name="id"/>.</summary>
    public int Of(int id)
    {
        if (!_numbers.TryGetValue(id, out int number))
        {
            number = _order.Count;
            _numbers.Add(id, number);
            _order.Add(id);
        }
        return number;
    }

    public void WriteTo(ImageOctets output)
    {
        output.I32(_order.Count);
        foreach (int id in _order)
            output.Short(TargetSuffixes.Get(id));
    }
}
