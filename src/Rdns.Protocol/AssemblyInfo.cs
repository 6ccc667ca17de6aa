namespace Rdns.Protocol;
