namespace Rdns.Zones.Writes;

/// <summary>
/// The write path of each view: a change to a view's zone goes through that view's writer, never
/// through another's, so the same-named zone of another view is never touched.
/// </summary>
public interface IViewWriters
{
    /// <summary>The writer of the view of that name (<c>public</c> included), or null when there is no such view.</summary>
    IZoneWriter? ForView(string view);
}
