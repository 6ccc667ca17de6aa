namespace Rdns.Addressing;
