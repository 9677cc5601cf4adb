#include "projections/roster/internal/person_rows.h"

namespace backpack::roster {

Result<std::vector<std::pair<std::string, GuardianLinkState>>> GuardianLinksOf(
    ProjectionTxn& txn, const std::string& member_id) {
  std::vector<std::pair<std::string, GuardianLinkState>> links;
  const std::string suffix = std::string(1, '\0') + member_id;
  Status decoded;
  RETURN_IF_ERROR(txn.Scan(kGuardianLinks, {}, [&](ByteView key, ByteView value) {
    std::string_view k = AsChars(key);
    if (!k.ends_with(suffix)) return true;
    auto link = DecodeGuardianLink(value);
    if (!link) decoded = link.error();
    if (link) links.emplace_back(std::string(k.substr(0, k.size() - suffix.size())), *link);
    return decoded.ok();
  }));
  RETURN_IF_ERROR(decoded);
  return links;
}

Result<std::vector<std::pair<EnrollmentKey, EnrollmentRecord>>> TeacherRowsOf(
    ProjectionTxn& txn, const std::string& member_id) {
  std::vector<std::pair<EnrollmentKey, EnrollmentRecord>> rows;
  Status decoded;
  RETURN_IF_ERROR(txn.Scan(kEnrollments, AsBytes(member_id + '\0'), [&](ByteView k, ByteView v) {
    auto row = EnrollmentKey::Decode(k);
    auto record = DecodeEnrollment(v);
    if (!row || !record) {
      decoded = !row ? row.error() : record.error();
      return false;
    }
    if (row->role == EnrollmentRole::kTeacher) rows.emplace_back(*row, *record);
    return true;
  }));
  RETURN_IF_ERROR(decoded);
  return rows;
}

}  // namespace backpack::roster
