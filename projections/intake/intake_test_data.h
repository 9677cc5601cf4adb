// A small synthetic district for intake tests. Every name, id and value is
// invented; student names are deliberately unusual so that tests can search
// stored bytes for them.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "imports/import_set.h"
#include "imports/source.h"

namespace backpack::intake::testing {

// A complete, valid bulk set: 2 schools, 3 students, 1 teacher, 2 guardians,
// and rows in every supplemental file.
imports::FileSet SmallDistrict();
// SmallDistrict with `extra` more students at school sch-a (s-500, s-501...).
imports::FileSet SmallDistrictWithMoreStudents(int extra);
// SmallDistrictWithMoreStudents(extra), each extra student also enrolled in
// cls-sci7a (e-500, e-501...) and linked to a parent of their own (g-500,
// g-501..., naming the student in agentSourcedIds).
imports::FileSet SmallDistrictWithFamilies(int extra);

// `files` with the first occurrence of `from` in `file` replaced by `to`
// (which must occur: checked with Catch2's REQUIRE).
imports::FileSet Edit(imports::FileSet files, const std::string& file, const std::string& from,
                      const std::string& to);
// `files` without every line of `file` that contains `needle`.
imports::FileSet DropLines(imports::FileSet files, const std::string& file,
                           const std::string& needle);

// `files` without the column `column` of `file` (which must have it:
// REQUIREd). For files without quoted fields.
imports::FileSet DropColumn(imports::FileSet files, const std::string& file,
                            const std::string& column);

// Parses `files`, failing the test (REQUIRE) on any error.
imports::ImportSet ParseOk(const imports::FileSet& files);
// Writes every file of `files` into `dir` (created if needed).
void WriteFolder(const std::filesystem::path& dir, const imports::FileSet& files);

// Given and family names of every student in SmallDistrict().
std::vector<std::string> SmallDistrictStudentNames();

}  // namespace backpack::intake::testing
