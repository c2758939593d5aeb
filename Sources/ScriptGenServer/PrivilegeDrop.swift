#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why `dropPrivileges(to:)` failed.
public struct PrivilegeDropError: Error, CustomStringConvertible, Sendable {
    public var user: String
    public var step: String
    public var errno: Int32

    public var description: String {
        "cannot switch to user \(user): \(step) failed (\(String(cString: strerror(errno))))"
    }
}

/// Switches the whole process (every thread) to `user`'s uid and gid, dropping supplementary
/// groups; checks that root cannot be regained. Returns the uid and gid.
@discardableResult
public func dropPrivileges(to user: String) throws(PrivilegeDropError) -> (uid: UInt32, gid: UInt32) {
    guard let entry = getpwnam(user) else { throw PrivilegeDropError(user: user, step: "getpwnam", errno: ENOENT) }
    let uid = entry.pointee.pw_uid
    let gid = entry.pointee.pw_gid
    if setgroups(0, nil) != 0 && getuid() == 0 { throw PrivilegeDropError(user: user, step: "setgroups", errno: errno) }
    if setgid(gid) != 0 { throw PrivilegeDropError(user: user, step: "setgid", errno: errno) }
    if setuid(uid) != 0 { throw PrivilegeDropError(user: user, step: "setuid", errno: errno) }
    if uid != 0 && setuid(0) == 0 { throw PrivilegeDropError(user: user, step: "check (root regained)", errno: EPERM) }
    return (uid, gid)
}
